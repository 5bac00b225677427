import { randomUUID } from 'node:crypto';

import { deriveKey, IdempotencyInProgressError, makeIdempotent } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { RedisPersistenceLayer } from '../src/index.js';
import { useSharedRedis } from './support.js';

const shared = useSharedRedis();
const HOUR_MS = 3_600_000;
// Largest gap allowed between this process's clock and the server's, which runs on this machine.
const CLOCK_TOLERANCE_MS = 250;

type Input = { readonly orderId: string };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Builds a Lambda context with `remainingMs` left. */
function lambdaContext(remainingMs: number): { functionName: string; getRemainingTimeInMillis(): number } {
  return { functionName: 'fn-a', getRemainingTimeInMillis: () => remainingMs };
}

/** Creates an idempotent function that counts its runs, and returns it with the record key of `event`. */
async function countedCall(event: Input) {
  const namespace = `leases-${randomUUID()}`;
  const counter = { runs: 0 };
  const call = makeIdempotent(
    async (_event: Input, _context: unknown) => {
      counter.runs++;
      return `result ${counter.runs}`;
    },
    { persistence: shared.layer, namespace, expiresAfterSeconds: 600 },
  );
  return { call, counter, key: await deriveKey(event, { namespace }) };
}

describe('lease takeover on the server clock', () => {
  it('takes over a claim whose real lease lapsed', async () => {
    const event = { orderId: randomUUID() };
    const { call, counter, key } = await countedCall(event);
    // An owner that timed out: a 50 ms lease inside a record that lives an hour.
    await shared.layer.acquire({ key, leaseToken: 'timed-out-owner', leaseMs: 50, expiresAfterMs: HOUR_MS, now: Date.now() });
    await sleep(80);
    const startedAt = Date.now();

    const result = await call(event, lambdaContext(10_000));

    expect(result).toBe('result 1');
    expect(counter.runs).toBe(1);
    const record = await shared.layer.get({ key, now: Date.now() });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.leaseToken).not.toBe('timed-out-owner');
    expect(Math.abs((record?.expiresAt ?? 0) - (startedAt + 600_000))).toBeLessThanOrEqual(CLOCK_TOLERANCE_MS);
  });

  it('rejects the call while the lease is live', async () => {
    const event = { orderId: randomUUID() };
    const { call, counter, key } = await countedCall(event);
    await shared.layer.acquire({ key, leaseToken: 'running-owner', leaseMs: 30_000, expiresAfterMs: HOUR_MS, now: Date.now() });

    const error = await call(event, lambdaContext(10_000)).catch((thrown: unknown) => thrown);

    expect(IdempotencyInProgressError.is(error)).toBe(true);
    expect(counter.runs).toBe(0);
    expect((await shared.layer.get({ key, now: Date.now() }))?.leaseToken).toBe('running-owner');
  });

  it('ignores the caller clock', async () => {
    const key = `skew#${randomUUID()}`;
    const before = Date.now();
    await shared.layer.acquire({ key, leaseToken: 'owner', leaseMs: 30_000, expiresAfterMs: HOUR_MS, now: 0 });

    // A caller whose clock runs two hours ahead must not see the lease or the record as lapsed.
    const skewed = await shared.layer.acquire({ key, leaseToken: 'skewed', leaseMs: 30_000, expiresAfterMs: HOUR_MS, now: before + 2 * HOUR_MS });

    expect(skewed.acquired).toBe(false);
    const record = skewed.acquired ? undefined : skewed.record;
    expect(record?.leaseToken).toBe('owner');
    expect(Math.abs((record?.leaseExpiresAt ?? 0) - (before + 30_000))).toBeLessThanOrEqual(CLOCK_TOLERANCE_MS);
    expect(Math.abs((record?.expiresAt ?? 0) - (before + HOUR_MS))).toBeLessThanOrEqual(CLOCK_TOLERANCE_MS);
  });
});

describe('concurrent acquires', () => {
  it('leave the winner record unchanged', async () => {
    const key = `race#${randomUUID()}`;
    const requests = ['a', 'b'].map((name) => ({ key, leaseToken: `${name}-${randomUUID()}`, leaseMs: 30_000, expiresAfterMs: HOUR_MS, now: Date.now() }));

    const results = await Promise.all(requests.map((request) => shared.layer.acquire(request)));

    const winners = results.filter((result) => result.acquired);
    const losers = results.flatMap((result) => (result.acquired ? [] : [result.record]));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const stored = await shared.layer.get({ key, now: Date.now() });
    const winnerToken = requests[results.findIndex((result) => result.acquired)]?.leaseToken;
    expect(stored?.leaseToken).toBe(winnerToken);
    expect(stored).toEqual(losers[0]);
  });

  it('run the function once and keep its claim', async () => {
    const event = { orderId: randomUUID() };
    const namespace = `race-${randomUUID()}`;
    const key = await deriveKey(event, { namespace });
    let runs = 0;
    let claimDuringRun: Awaited<ReturnType<RedisPersistenceLayer['get']>>;
    const call = makeIdempotent(
      async (_event: Input) => {
        runs++;
        await sleep(100);
        claimDuringRun = await shared.layer.get({ key, now: Date.now() });
        return 'winner';
      },
      { persistence: shared.layer, namespace },
    );

    const outcomes = await Promise.allSettled([call(event), call(event)]);

    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(runs).toBe(1);
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(IdempotencyInProgressError.is(rejected[0])).toBe(true);
    const completed = await shared.layer.get({ key, now: Date.now() });
    expect(completed?.status).toBe('COMPLETED');
    expect(completed?.leaseToken).toBe(claimDuringRun?.leaseToken);
    expect(completed?.expiresAt).toBe(claimDuringRun?.expiresAt);
    expect(completed?.leaseExpiresAt).toBe(claimDuringRun?.leaseExpiresAt);
  });
});
