import { randomUUID } from 'node:crypto';

import { IdempotencyInProgressError, IdempotencyPersistenceError, makeIdempotent } from '@idemkit/idempotency-core';
import { findFreePort, redisCli, startRedisServer } from '@idemkit/test-support';
import { describe, expect, it } from 'vitest';

import { RedisPersistenceLayer } from '../src/index.js';

function acquireRequest(): Parameters<RedisPersistenceLayer['acquire']>[0] {
  return { key: `failure#${randomUUID()}`, leaseToken: randomUUID(), leaseMs: 10_000, expiresAfterMs: 60_000, now: Date.now() };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('store failures', () => {
  it('refused connection fails fast', async () => {
    const port = await findFreePort();
    const layer = RedisPersistenceLayer.fromUrl(`redis://127.0.0.1:${port}`, { logger: false });
    const startedAt = Date.now();

    const error = await rejection(layer.acquire(acquireRequest()));
    const elapsedMs = Date.now() - startedAt;
    await layer.close();

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as IdempotencyPersistenceError).message).toMatch(/^RedisPersistenceLayer: acquire failed for the record failure#/);
    expect((error as IdempotencyPersistenceError).cause).toBeInstanceOf(Error);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('stopped server fails the call, not as in progress', async () => {
    const server = await startRedisServer();
    const layer = RedisPersistenceLayer.fromUrl(server.url, { logger: false });
    let runs = 0;
    const call = makeIdempotent(
      async (_event: { id: string }) => {
        runs++;
        return 'ran';
      },
      { persistence: layer, namespace: 'outage', logger: false },
    );
    await call({ id: 'warm-up' });
    await server.stop();

    const error = await rejection(call({ id: 'during the outage' }));
    await layer.close();

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(IdempotencyInProgressError.is(error)).toBe(false);
    expect((error as IdempotencyPersistenceError).code).toBe('PERSISTENCE');
    expect((error as IdempotencyPersistenceError).cause).toBeInstanceOf(Error);
    expect(runs).toBe(1);
  });

  it('replica replies READONLY as a persistence error', async () => {
    const primary = await startRedisServer();
    const replica = await startRedisServer();
    const layer = RedisPersistenceLayer.fromUrl(replica.url, { logger: false });
    try {
      await redisCli(replica.port, 'REPLICAOF', '127.0.0.1', String(primary.port));

      const error = await rejection(layer.acquire(acquireRequest()));

      expect(IdempotencyPersistenceError.is(error)).toBe(true);
      expect(((error as IdempotencyPersistenceError).cause as Error).message).toMatch(/READONLY/);
      expect((error as IdempotencyPersistenceError).message).toContain('READONLY');
    } finally {
      await layer.close();
      await replica.stop();
      await primary.stop();
    }
  });

  it('connection errors are logged once per outage', async () => {
    const port = await findFreePort();
    const warnings: string[] = [];
    const layer = RedisPersistenceLayer.fromUrl(`redis://127.0.0.1:${port}`, {
      logger: { warn: (message: string) => warnings.push(message), error: () => {} },
    });

    await rejection(layer.acquire(acquireRequest()));
    await rejection(layer.get({ key: 'k', now: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await layer.close();

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[idemkit\] RedisPersistenceLayer: the connection to Redis failed/);
  });
});
