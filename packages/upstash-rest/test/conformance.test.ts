import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { afterAll } from 'vitest';

import { deleteKeysWithPrefix, inspector, layerFor, randomKeyPrefix, startServer } from './support.js';

const keyPrefix = randomKeyPrefix();
let server: UpstashRestServer | undefined;
let direct: Redis | undefined;

// The real @upstash/redis client, through the loopback REST server, with Redis 7 syntax rejected.
runPersistenceConformance({
  name: 'UpstashPersistenceLayer',
  // The suite's tolerance is one unit. Each call is an HTTP request through a Node.js server,
  // which took up to 84 ms under a full parallel test run on two cores, so a unit is 100 ms.
  timeUnitMs: 100,
  create: async () => {
    server = await startServer();
    direct = inspector(server);
    return layerFor(server, { keyPrefix });
  },
  storeTtlMs: async (key) => {
    const ttlMs = await (direct as Redis).pttl(keyPrefix + key);
    return ttlMs === -2 ? undefined : ttlMs;
  },
});

afterAll(async () => {
  if (direct !== undefined) await deleteKeysWithPrefix(direct, keyPrefix);
  await server?.close();
});
