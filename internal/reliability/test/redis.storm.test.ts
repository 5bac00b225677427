import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { afterAll, expect, it } from 'vitest';

import { runStorm } from '../src/index.ts';
import { deleteRedisKeys, sharedRedisUrl } from './stores.ts';

const keyPrefix = `storm-${crypto.randomUUID()}:`;
const layer = RedisPersistenceLayer.fromUrl(sharedRedisUrl(), { keyPrefix, logger: false });
afterAll(async () => {
  await layer.close();
  await deleteRedisKeys(keyPrefix);
});

it('Redis storm of 10,000 calls runs each key once', async () => {
  const report = await runStorm({ persistence: layer, calls: 10_000, keys: 2_000, concurrency: 64, maxWorkMs: 3, seed: 2 });

  expect(report.unexpectedErrors).toEqual([]);
  expect(report.executions.size).toBe(2_000);
  expect([...report.executions.values()].filter((count) => count !== 1)).toEqual([]);
  expect(report.wrongResults).toBe(0);
  expect(report.replays + report.inProgress + 2_000).toBe(10_000);
});
