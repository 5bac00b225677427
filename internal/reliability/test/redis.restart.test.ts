import { IdempotencyPersistenceError, makeIdempotent } from '@idemkit/idempotency-core';
import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { startRedisServer } from '@idemkit/test-support';
import { expect, it } from 'vitest';

// Redis without RDB or AOF keeps records in memory only: a restart loses completed records (a
// retry after it runs the function again) and in-flight claims (a duplicate of a call still
// running can start a second run). What must hold is that the library recovers by itself.
it('Redis restart without persistence loses records and recovers by itself', async () => {
  const first = await startRedisServer();
  const layer = RedisPersistenceLayer.fromUrl(first.url, { logger: false, redis: { commandTimeout: 1_000, retryStrategy: () => 50 } });
  let runs = 0;
  const charge = makeIdempotent(async (id: string) => `charge ${id} run ${++runs}`, { persistence: layer, namespace: 'restart', logger: false });
  let second: Awaited<ReturnType<typeof startRedisServer>> | undefined;

  try {
    await charge('a');
    await expect(charge('a')).resolves.toBe('charge a run 1');

    await first.stop();
    second = await startRedisServer({ port: first.port });
    const afterRestart = await retryWhileReconnecting(() => charge('a'));

    expect(afterRestart).toBe('charge a run 2');
    await expect(charge('a')).resolves.toBe('charge a run 2');
    expect(runs).toBe(2);
  } finally {
    await layer.close();
    await second?.stop();
    await first.stop().catch(() => undefined);
  }
});

async function retryWhileReconnecting<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!IdempotencyPersistenceError.is(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
