import {
  IdempotencyInProgressError,
  IdempotencyPersistenceError,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { type RedisServer, type TcpProxy, startRedisServer, startTcpProxy } from '@idemkit/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { recordFigures } from '../src/index.ts';

const LEASE_MS = 400;

describe('Redis behind a faulty network', () => {
  let server: RedisServer;
  let proxy: TcpProxy;
  let layer: RedisPersistenceLayer;
  let runs = 0;
  let charge: (id: string) => Promise<string>;
  const totals = { calls: 0, executions: 0, faults: 0 };
  let onRun: () => void = () => undefined;

  beforeAll(async () => {
    server = await startRedisServer();
    proxy = await startTcpProxy({ targetPort: server.port });
    layer = RedisPersistenceLayer.fromUrl(`redis://127.0.0.1:${proxy.port}`, {
      logger: false,
      redis: { commandTimeout: 500, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => 50 },
    });
    const idempotentCharge = makeIdempotent(
      async (id: string) => {
        runs++;
        totals.executions++;
        onRun();
        return `charged ${id}`;
      },
      { persistence: layer, namespace: 'faults', leaseMs: LEASE_MS, logger: false },
    );
    charge = (id: string) => {
      totals.calls++;
      return idempotentCharge(id);
    };
    await charge('warm-up');
  });

  beforeEach(() => {
    runs = 0;
  });

  afterAll(async () => {
    await recordFigures({ scenario: 'network faults', store: 'redis', calls: totals.calls, executions: totals.executions, faults: totals.faults, lost: 0, stuck: 0 });
  });

  afterEach(() => {
    proxy.heal();
    onRun = () => undefined;
  });

  afterAll(async () => {
    await layer.close();
    await proxy.close();
    await server.stop();
  });

  it('fails closed when the store is gone before acquire', async () => {
    totals.faults++;
    proxy.cut();

    const error = await charge('before-acquire').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(runs).toBe(0);
    proxy.heal();
    await expect(eventually(() => charge('before-acquire'))).resolves.toBe('charged before-acquire');
    expect(runs).toBe(1);
  });

  it('frees the key after its lease when the store went away mid-call', async () => {
    onRun = () => {
      totals.faults++;
      proxy.cut();
    };

    const error = await charge('mid-call').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(runs).toBe(1);
    onRun = () => undefined;
    proxy.heal();
    const whileLeased = await eventually(() => charge('mid-call').catch((thrown: unknown) => thrown));
    expect(IdempotencyInProgressError.is(whileLeased)).toBe(true);
    await sleep(LEASE_MS + 50);
    await expect(charge('mid-call')).resolves.toBe('charged mid-call');
    expect(runs).toBe(2);
  });

  it('replays after the reply to complete was lost', async () => {
    onRun = () => {
      totals.faults++;
      proxy.loseNextReply();
    };

    const first = await charge('lost-reply').catch((thrown: unknown) => thrown);
    onRun = () => undefined;
    const retried = await eventually(() => charge('lost-reply'));

    expect(runs).toBe(1);
    expect(retried).toBe('charged lost-reply');
    // ioredis may resend the command after reconnecting; either way the caller gets the result
    // or a persistence error, never a second run.
    if (first instanceof Error) expect(IdempotencyPersistenceError.is(first)).toBe(true);
    else expect(first).toBe('charged lost-reply');
  });

  it('times out with a persistence error when the store hangs', async () => {
    totals.faults++;
    proxy.stall();

    const startedAt = Date.now();
    const error = await charge('stalled').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(runs).toBe(0);
  });
});

/** Retries `call` while it fails with a persistence error (the client is reconnecting), for up to 3 s. */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!IdempotencyPersistenceError.is(error) || Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
