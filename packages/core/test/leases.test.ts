import {
  deriveKey,
  IdempotencyInProgressError,
  type IdempotencyOutcome,
  MemoryPersistenceLayer,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { RecordingLogger, TestClock, deferred, lambdaContext } from './support.js';

const HOUR_MS = 3_600_000;

/** Seeds an IN_PROGRESS record for `event` as a timed-out invocation would leave it. */
async function seedClaim(persistence: MemoryPersistenceLayer, key: string, nowMs: number, leaseExpiresAt: number): Promise<void> {
  await persistence.acquire({ key, leaseToken: 'timed-out-owner', leaseMs: leaseExpiresAt - nowMs, expiresAfterMs: HOUR_MS, now: nowMs });
}

describe('leases', () => {
  it('takes over a claim whose lease lapsed 30 s ago', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const outcomes: IdempotencyOutcome[] = [];
    let calls = 0;
    const fn = makeIdempotent(async (_event: { id: string }, _context: unknown) => ++calls, {
      persistence,
      namespace: 'takeover',
      clock: clock.now,
      expiresAfterSeconds: 600,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    // The timed-out owner claimed at T - 60 s with a 30 s lease: it lapsed 30 s ago.
    const key = await deriveKey({ id: 'e' }, { namespace: 'takeover' });
    await seedClaim(persistence, key, clock.nowMs - 60_000, clock.nowMs - 30_000);

    const result = await fn({ id: 'e' }, lambdaContext(10_000));

    expect(result).toBe(1);
    expect(calls).toBe(1);
    const record = await persistence.get({ key, now: clock.nowMs });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.expiresAt).toBe(clock.nowMs + 600_000);
    expect(outcomes.map((outcome) => outcome.type)).toEqual(['acquired', 'completed']);
  });

  it('does not take over a claim whose lease is live', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_event: { id: string }, _context: unknown) => ++calls, {
      persistence,
      namespace: 'takeover',
      clock: clock.now,
    });
    const key = await deriveKey({ id: 'e' }, { namespace: 'takeover' });
    await seedClaim(persistence, key, clock.nowMs, clock.nowMs + 30_000);

    const error = await fn({ id: 'e' }, lambdaContext(10_000)).catch((thrown: unknown) => thrown);

    expect(IdempotencyInProgressError.is(error)).toBe(true);
    expect((error as IdempotencyInProgressError).retryAfterMs).toBe(30_000);
    expect(calls).toBe(0);
  });

  it('takes the lease from the Lambda context', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const gate = deferred();
    const fn = makeIdempotent(
      async (_event: string, _context: unknown) => {
        await gate.promise;
      },
      { persistence, namespace: 'context-lease', clock: clock.now, leaseMs: 999_000 },
    );

    const running = fn('e', lambdaContext(12_345));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const record = await persistence.get({ key: await deriveKey('e', { namespace: 'context-lease' }), now: clock.nowMs });
    gate.resolve();
    await running;

    expect(record?.leaseExpiresAt).toBe(clock.nowMs + 12_345);
  });

  it('sets a lease even with 0 ms remaining', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const gate = deferred();
    const fn = makeIdempotent(
      async (_event: string, _context: unknown) => {
        await gate.promise;
      },
      { persistence, namespace: 'zero-lease', clock: clock.now },
    );

    const running = fn('e', lambdaContext(0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const record = await persistence.get({ key: await deriveKey('e', { namespace: 'zero-lease' }), now: clock.nowMs });
    gate.resolve();
    await running;

    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.leaseExpiresAt).toBe(clock.nowMs + 1);
  });

  it('uses leaseMs without a Lambda context', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const gate = deferred();
    const fn = makeIdempotent(
      async (_event: string) => {
        await gate.promise;
      },
      { persistence, namespace: 'lease-option', clock: clock.now, leaseMs: 5_000 },
    );

    const running = fn('e');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const record = await persistence.get({ key: await deriveKey('e', { namespace: 'lease-option' }), now: clock.nowMs });
    gate.resolve();
    await running;

    expect(record?.leaseExpiresAt).toBe(clock.nowMs + 5_000);
  });

  it('returns a late result without storing it when the lease was lost', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const logger = new RecordingLogger();
    const outcomes: string[] = [];
    const slow = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (_event: string) => {
        const run = ++calls;
        if (run === 1) await slow.promise;
        return `result of run ${run}`;
      },
      { persistence, namespace: 'lease-lost', clock: clock.now, leaseMs: 1_000, logger, onOutcome: (outcome) => outcomes.push(outcome.type) },
    );

    const stale = fn('e');
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(1_001);
    const fresh = await fn('e');
    slow.resolve();
    const late = await stale;

    expect(fresh).toBe('result of run 2');
    expect(late).toBe('result of run 1');
    expect((await persistence.get({ key: await deriveKey('e', { namespace: 'lease-lost' }), now: clock.nowMs }))?.response).toContain('result of run 2');
    expect(outcomes).toContain('leaseLost');
    expect(logger.lines.some((line) => line.level === 'warn' && /lease lost/i.test(line.message))).toBe(true);
  });

  it('renews the lease with heartbeatMs while the function runs', async () => {
    const persistence = new MemoryPersistenceLayer();
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (_event: string) => {
        calls++;
        await gate.promise;
        return 'long';
      },
      { persistence, namespace: 'heartbeat', leaseMs: 300, heartbeatMs: 50 },
    );

    const running = fn('e');
    await new Promise((resolve) => setTimeout(resolve, 700));
    const duplicate = await fn('e').catch((error: unknown) => error);
    gate.resolve();

    expect(IdempotencyInProgressError.is(duplicate)).toBe(true);
    await expect(running).resolves.toBe('long');
    expect(calls).toBe(1);
  });

  it('lets a claim lapse without heartbeatMs', async () => {
    const persistence = new MemoryPersistenceLayer();
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (_event: string) => {
        calls++;
        if (calls === 1) await gate.promise;
        return calls;
      },
      { persistence, namespace: 'no-heartbeat', leaseMs: 60, logger: false },
    );

    const running = fn('e');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(fn('e')).resolves.toBe(2);
    gate.resolve();
    await running;
    expect(calls).toBe(2);
  });
});
