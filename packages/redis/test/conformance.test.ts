import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';
import type { Redis } from 'ioredis';
import { afterAll } from 'vitest';

import { RedisPersistenceLayer } from '../src/index.js';
import { connectRedis, deleteKeysWithPrefix, randomKeyPrefix, REDIS_URL } from './support.js';

const keyPrefix = randomKeyPrefix();
let client: Redis | undefined;

runPersistenceConformance({
  name: 'RedisPersistenceLayer',
  create: async () => {
    client = await connectRedis();
    return RedisPersistenceLayer.fromUrl(REDIS_URL, { keyPrefix });
  },
  storeTtlMs: async (key) => {
    const ttlMs = await (client as Redis).pttl(keyPrefix + key);
    return ttlMs === -2 ? undefined : ttlMs;
  },
});

afterAll(async () => {
  if (client === undefined) return;
  await deleteKeysWithPrefix(client, keyPrefix);
  await client.quit();
});
