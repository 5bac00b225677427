import { expect, it } from 'vitest';

import type { IdempotencyRecord } from '../types.js';
import type { SuiteContext } from './context.js';

/** acquire: absent, live, completed, expired and lapsed records, and the caller's own claim. */
export function acquireTests(suite: SuiteContext): void {
  it('acquire creates an IN_PROGRESS record on an absent key', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    const before = suite.time().now();

    const result = await suite.layer().acquire(request);

    expect(result).toEqual({ acquired: true, steps: {} });
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.key).toBe(key);
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.leaseToken).toBe(request.leaseToken);
    expect(record?.payloadHash).toBe('hash-1');
    expect(record?.response).toBeUndefined();
    expect(record?.steps).toEqual({});
    expectNear(suite, record?.expiresAt, before + suite.expiresAfterMs);
    expectNear(suite, record?.leaseExpiresAt, before + suite.leaseMs);
  });

  it('acquire never sets the lease past the expiry', async () => {
    const key = suite.key();
    await suite.layer().acquire(suite.acquireRequest(key, { leaseMs: suite.expiresAfterMs * 2 }));

    const record = await suite.layer().get({ key, now: suite.time().now() });

    expect(record?.leaseExpiresAt).toBe(record?.expiresAt);
  });

  it('acquire leaves payloadHash out when validation is off', async () => {
    const key = suite.key();
    await suite.layer().acquire(suite.acquireRequest(key));
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record).toBeDefined();
    expect(record?.payloadHash).toBeUndefined();
  });

  it('acquire returns the live IN_PROGRESS record that blocks it', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);

    const result = await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-1' }));

    expect(result.acquired).toBe(false);
    const record = blockingRecord(result);
    expect(record.status).toBe('IN_PROGRESS');
    expect(record.leaseToken).toBe(first.leaseToken);
    expect(record.payloadHash).toBe('hash-1');
  });

  it('acquire returns the COMPLETED record with its response', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    await suite.layer().complete({ key, leaseToken: first.leaseToken, response: 'stored', now: suite.time().now() });

    const result = await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-2' }));

    const record = blockingRecord(result);
    expect(record.status).toBe('COMPLETED');
    expect(record.response).toBe('stored');
    expect(record.payloadHash).toBe('hash-1');
    expect(record.leaseToken).toBe(first.leaseToken);
  });

  it('acquire treats an expired COMPLETED record as absent', async () => {
    const key = suite.key();
    const shortLived = suite.shortExpiry();
    const first = suite.acquireRequest(key, shortLived);
    await suite.layer().acquire(first);
    await suite.layer().complete({ key, leaseToken: first.leaseToken, response: 'old', now: suite.time().now() });
    await suite.time().advance(shortLived.expiresAfterMs + suite.unitMs);

    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
    const second = suite.acquireRequest(key);
    const result = await suite.layer().acquire(second);

    expect(result).toEqual({ acquired: true, steps: {} });
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.leaseToken).toBe(second.leaseToken);
    expect(record?.response).toBeUndefined();
  });

  it('acquire never returns the steps of an expired record', async () => {
    const key = suite.key();
    const shortLived = suite.shortExpiry();
    const first = suite.acquireRequest(key, shortLived);
    await suite.layer().acquire(first);
    await suite.layer().saveStep({ key, leaseToken: first.leaseToken, name: 'charge', result: 'r1', now: suite.time().now() });
    await suite.time().advance(shortLived.expiresAfterMs + suite.unitMs);

    const result = await suite.layer().acquire(suite.acquireRequest(key));

    expect(result).toEqual({ acquired: true, steps: {} });
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.steps).toEqual({});
  });

  it('acquire takes over a lapsed claim and receives its steps', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    await suite.layer().saveStep({ key, leaseToken: first.leaseToken, name: 'charge', result: 'r1', now: suite.time().now() });
    await suite.time().advance(suite.leaseMs + suite.unitMs);

    const second = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    const result = await suite.layer().acquire(second);

    expect(result).toEqual({ acquired: true, steps: { charge: 'r1' } });
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.leaseToken).toBe(second.leaseToken);
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.steps).toEqual({ charge: 'r1' });
    expect(record?.leaseExpiresAt).toBeGreaterThan(suite.time().now());
  });

  it('acquire does not take over a lapsed claim with another payload', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    await suite.time().advance(suite.leaseMs + suite.unitMs);

    const result = await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-2' }));

    const record = blockingRecord(result);
    expect(record.leaseToken).toBe(first.leaseToken);
    expect(record.payloadHash).toBe('hash-1');
  });

  it('acquire takes over a lapsed claim when validation is off', async () => {
    const key = suite.key();
    await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-1' }));
    await suite.time().advance(suite.leaseMs + suite.unitMs);

    const result = await suite.layer().acquire(suite.acquireRequest(key));

    expect(result.acquired).toBe(true);
  });

  it('acquire does not take over a claim whose lease is live', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key);
    await suite.layer().acquire(first);
    await suite.time().advance(Math.floor(suite.leaseMs / 4));

    const result = await suite.layer().acquire(suite.acquireRequest(key));

    expect(blockingRecord(result).leaseToken).toBe(first.leaseToken);
  });

  it('acquire counts a record holding the same token as acquired', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    await suite.layer().saveStep({ key, leaseToken: first.leaseToken, name: 'a', result: '1', now: suite.time().now() });

    const retried = await suite.layer().acquire({ ...first, now: suite.time().now() });

    expect(retried).toEqual({ acquired: true, steps: { a: '1' } });
  });

  it('acquire by the same token leaves the claim as it is', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    const claimed = await suite.layer().get({ key, now: suite.time().now() });
    await suite.time().advance(Math.floor(suite.leaseMs / 2));

    const retried = await suite.layer().acquire({ ...first, now: suite.time().now() });

    expect(retried.acquired).toBe(true);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.leaseExpiresAt).toBe(claimed?.leaseExpiresAt);
    expect(record?.expiresAt).toBe(claimed?.expiresAt);
  });

  it('acquire by the same token after its lease lapsed changes nothing', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    const claimed = await suite.layer().get({ key, now: suite.time().now() });
    await suite.time().advance(suite.leaseMs + suite.unitMs);

    const retried = await suite.layer().acquire({ ...first, now: suite.time().now() });
    const record = await suite.layer().get({ key, now: suite.time().now() });
    const other = await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-1' }));

    expect(retried.acquired).toBe(true);
    expect(record?.leaseExpiresAt).toBe(claimed?.leaseExpiresAt);
    expect(other.acquired).toBe(true);
  });

  it('acquire never claims a COMPLETED record again, not even with its token', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key);
    await suite.layer().acquire(first);
    await suite.layer().complete({ key, leaseToken: first.leaseToken, response: 'done', now: suite.time().now() });

    const retried = await suite.layer().acquire({ ...first, now: suite.time().now() });

    const record = blockingRecord(retried);
    expect(record.status).toBe('COMPLETED');
    expect(record.response).toBe('done');
  });

  it('acquire returns the lapsed record unchanged to get', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key);
    await suite.layer().acquire(first);
    await suite.time().advance(suite.leaseMs + suite.unitMs);

    const record = await suite.layer().get({ key, now: suite.time().now() });

    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.leaseToken).toBe(first.leaseToken);
    expect(record?.leaseExpiresAt).toBeLessThanOrEqual(suite.time().now() + suite.time().toleranceMs);
  });

  const { storeTtlMs } = suite;
  if (storeTtlMs === undefined) return;

  it('acquire sets a native TTL no later than the expiry', async () => {
    const key = suite.key();
    await suite.layer().acquire(suite.acquireRequest(key));

    const ttlMs = await storeTtlMs(key, suite.time().now());

    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(suite.expiresAfterMs);
  });
}

/** Returns the record of a result that did not acquire, and fails the test when it did. */
export function blockingRecord(result: { acquired: boolean; record?: IdempotencyRecord }): IdempotencyRecord {
  expect(result.acquired).toBe(false);
  if (result.record === undefined) throw new Error('expected a blocking record');
  return result.record;
}

/** Checks an instant against the expected one, within the suite's tolerance. */
export function expectNear(suite: SuiteContext, actual: number | undefined, expected: number): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(suite.time().toleranceMs);
}
