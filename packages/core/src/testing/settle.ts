import { expect, it } from 'vitest';

import { expectNear } from './acquire.js';
import type { SuiteContext } from './context.js';

/** complete, release and extend: fenced by the lease token and nothing else. */
export function settleTests(suite: SuiteContext): void {
  it('complete stores the response and keeps the other fields', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(request);
    const claimed = await suite.layer().get({ key, now: suite.time().now() });
    await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'one', result: 'step-1', now: suite.time().now() });

    const completed = await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'result', now: suite.time().now() });

    expect(completed).toBe(true);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.response).toBe('result');
    expect(record?.payloadHash).toBe('hash-1');
    expect(record?.leaseToken).toBe(request.leaseToken);
    expect(record?.expiresAt).toBe(claimed?.expiresAt);
    expect(record?.steps).toEqual({ one: 'step-1' });
  });

  it('complete succeeds after the lease lapsed when nobody took over', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.time().advance(suite.leaseMs + suite.unitMs);

    const completed = await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'late', now: suite.time().now() });

    expect(completed).toBe(true);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.response).toBe('late');
  });

  it('complete is refused for a token that was taken over', async () => {
    const key = suite.key();
    const stale = suite.acquireRequest(key);
    await suite.layer().acquire(stale);
    await suite.time().advance(suite.leaseMs + suite.unitMs);
    const fresh = suite.acquireRequest(key);
    await suite.layer().acquire(fresh);

    const completed = await suite.layer().complete({ key, leaseToken: stale.leaseToken, response: 'stale', now: suite.time().now() });

    expect(completed).toBe(false);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.leaseToken).toBe(fresh.leaseToken);
    expect(record?.response).toBeUndefined();
  });

  it('complete is refused when the record is gone', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.layer().delete({ key });

    const completed = await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'r', now: suite.time().now() });

    expect(completed).toBe(false);
    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
  });

  it('complete is refused when the record expired', async () => {
    const key = suite.key();
    const shortLived = suite.shortExpiry();
    const request = suite.acquireRequest(key, shortLived);
    await suite.layer().acquire(request);
    await suite.time().advance(shortLived.expiresAfterMs + suite.unitMs);

    const completed = await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'r', now: suite.time().now() });

    expect(completed).toBe(false);
    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
  });

  it('release deletes a claim without steps', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);

    const released = await suite.layer().release({ key, leaseToken: request.leaseToken, now: suite.time().now() });

    expect(released).toBe(true);
    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
    expect((await suite.layer().acquire(suite.acquireRequest(key))).acquired).toBe(true);
  });

  it('release keeps a claim with steps and lapses its lease', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(request);
    await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'charge', result: 'c1', now: suite.time().now() });

    const released = await suite.layer().release({ key, leaseToken: request.leaseToken, now: suite.time().now() });

    expect(released).toBe(true);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.steps).toEqual({ charge: 'c1' });
    expect(record?.leaseExpiresAt).toBeLessThanOrEqual(suite.time().now() + suite.time().toleranceMs);
    const retry = await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-1' }));
    expect(retry).toEqual({ acquired: true, steps: { charge: 'c1' } });
  });

  it('release of a lapsed claim with steps sets its lease to now', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.time().advance(suite.leaseMs + suite.unitMs);
    await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'charge', result: 'c1', now: suite.time().now() });
    const releasedAt = suite.time().now();

    const released = await suite.layer().release({ key, leaseToken: request.leaseToken, now: releasedAt });

    expect(released).toBe(true);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expectNear(suite, record?.leaseExpiresAt, releasedAt);
    expect(record?.steps).toEqual({ charge: 'c1' });
  });

  it('release is refused for a token that was taken over', async () => {
    const key = suite.key();
    const stale = suite.acquireRequest(key);
    await suite.layer().acquire(stale);
    await suite.time().advance(suite.leaseMs + suite.unitMs);
    const fresh = suite.acquireRequest(key);
    await suite.layer().acquire(fresh);

    const released = await suite.layer().release({ key, leaseToken: stale.leaseToken, now: suite.time().now() });

    expect(released).toBe(false);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.leaseToken).toBe(fresh.leaseToken);
  });

  it('release is refused for a COMPLETED record of another token', async () => {
    const key = suite.key();
    const owner = suite.acquireRequest(key);
    await suite.layer().acquire(owner);
    await suite.layer().complete({ key, leaseToken: owner.leaseToken, response: 'kept', now: suite.time().now() });

    const released = await suite.layer().release({ key, leaseToken: suite.token(), now: suite.time().now() });

    expect(released).toBe(false);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.response).toBe('kept');
  });

  it('extend renews the lease of its owner', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.time().advance(Math.floor(suite.leaseMs / 2));
    const extendedAt = suite.time().now();

    const extended = await suite.layer().extend({ key, leaseToken: request.leaseToken, leaseMs: suite.leaseMs, now: extendedAt });

    expect(extended).toBe(true);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expectNear(suite, record?.leaseExpiresAt, extendedAt + suite.leaseMs);
    await suite.time().advance(Math.floor(suite.leaseMs * 0.75));
    expect((await suite.layer().acquire(suite.acquireRequest(key))).acquired).toBe(false);
  });

  it('extend never moves the lease past the expiry', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    const claimed = await suite.layer().get({ key, now: suite.time().now() });

    await suite.layer().extend({ key, leaseToken: request.leaseToken, leaseMs: suite.expiresAfterMs * 10, now: suite.time().now() });

    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.leaseExpiresAt).toBe(claimed?.expiresAt);
  });

  it('extend is refused for a stale token', async () => {
    const key = suite.key();
    await suite.layer().acquire(suite.acquireRequest(key));

    const extended = await suite.layer().extend({ key, leaseToken: suite.token(), leaseMs: suite.leaseMs, now: suite.time().now() });

    expect(extended).toBe(false);
  });

  it('get returns nothing for an absent key', async () => {
    expect(await suite.layer().get({ key: suite.key(), now: suite.time().now() })).toBeUndefined();
  });

  it('delete removes a record in any state', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'r', now: suite.time().now() });

    await suite.layer().delete({ key });
    await suite.layer().delete({ key: suite.key() });

    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
    expect((await suite.layer().acquire(suite.acquireRequest(key))).acquired).toBe(true);
  });

  const { storeTtlMs } = suite;
  if (storeTtlMs === undefined) return;

  it('complete leaves a native TTL no later than the expiry', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'r', now: suite.time().now() });

    const ttlMs = await storeTtlMs(key, suite.time().now());

    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(suite.expiresAfterMs);
  });
}
