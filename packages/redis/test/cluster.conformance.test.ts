import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';
import { type RedisCluster, startRedisCluster } from '@idemkit/test-support';
import { Cluster } from 'ioredis';
import { afterAll } from 'vitest';

import { RedisPersistenceLayer } from '../src/index.js';

let cluster: RedisCluster | undefined;
let client: Cluster | undefined;

// Three masters on loopback ports, started for this file and stopped by process id after it.
runPersistenceConformance({
  name: 'RedisPersistenceLayer on Redis Cluster',
  create: async () => {
    cluster = await startRedisCluster({ masters: 3 });
    client = new Cluster([...cluster.nodes], { redisOptions: { maxRetriesPerRequest: 1 } });
    return new RedisPersistenceLayer(client, { keyPrefix: 'idemkit-test:' });
  },
  storeTtlMs: async (key) => {
    const ttlMs = await (client as Cluster).pttl(`idemkit-test:${key}`);
    return ttlMs === -2 ? undefined : ttlMs;
  },
});

afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
});
