import { expect, it } from 'vitest';

import type { SuiteContext } from './context.js';

/** saveStep: stored under a live claim, fenced by the token, kept on release, gone with the record. */
export function stepTests(suite: SuiteContext): void {
  it('saveStep stores each step under the claim', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);

    const first = await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'charge', result: 'c', now: suite.time().now() });
    const second = await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'ledger', result: 'l', now: suite.time().now() });

    expect(first).toBe(true);
    expect(second).toBe(true);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.steps).toEqual({ charge: 'c', ledger: 'l' });
  });

  it('saveStep is refused for a stale token', async () => {
    const key = suite.key();
    const stale = suite.acquireRequest(key);
    await suite.layer().acquire(stale);
    await suite.time().advance(suite.leaseMs + suite.unitMs);
    const fresh = suite.acquireRequest(key);
    await suite.layer().acquire(fresh);

    const saved = await suite.layer().saveStep({ key, leaseToken: stale.leaseToken, name: 'charge', result: 'stale', now: suite.time().now() });

    expect(saved).toBe(false);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.steps).toEqual({});
  });

  it('saveStep is refused when no record exists', async () => {
    const key = suite.key();

    const saved = await suite.layer().saveStep({ key, leaseToken: suite.token(), name: 'charge', result: 'x', now: suite.time().now() });

    expect(saved).toBe(false);
    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
  });

  it('steps survive a release and replay on takeover', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    await suite.layer().saveStep({ key, leaseToken: first.leaseToken, name: 'charge', result: 'c1', now: suite.time().now() });
    await suite.layer().release({ key, leaseToken: first.leaseToken, now: suite.time().now() });

    const second = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    const takeover = await suite.layer().acquire(second);
    await suite.layer().saveStep({ key, leaseToken: second.leaseToken, name: 'ledger', result: 'l1', now: suite.time().now() });
    await suite.layer().complete({ key, leaseToken: second.leaseToken, response: 'done', now: suite.time().now() });

    expect(takeover).toEqual({ acquired: true, steps: { charge: 'c1' } });
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.steps).toEqual({ charge: 'c1', ledger: 'l1' });
  });

  it('steps of a released claim are not given to another payload', async () => {
    const key = suite.key();
    const first = suite.acquireRequest(key, { payloadHash: 'hash-1' });
    await suite.layer().acquire(first);
    await suite.layer().saveStep({ key, leaseToken: first.leaseToken, name: 'charge', result: 'c1', now: suite.time().now() });
    await suite.layer().release({ key, leaseToken: first.leaseToken, now: suite.time().now() });

    const other = await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-2' }));

    expect(other.acquired).toBe(false);
  });

  it('steps expire with their record', async () => {
    const key = suite.key();
    const shortLived = suite.shortExpiry();
    const request = suite.acquireRequest(key, shortLived);
    await suite.layer().acquire(request);
    await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'charge', result: 'c1', now: suite.time().now() });
    await suite.layer().release({ key, leaseToken: request.leaseToken, now: suite.time().now() });
    await suite.time().advance(shortLived.expiresAfterMs + suite.unitMs);

    expect(await suite.layer().get({ key, now: suite.time().now() })).toBeUndefined();
    expect(await suite.layer().acquire(suite.acquireRequest(key))).toEqual({ acquired: true, steps: {} });
  });

  it('saveStep is refused once the record completed', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    await suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'r', now: suite.time().now() });

    const saved = await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'late', result: 'x', now: suite.time().now() });

    expect(saved).toBe(false);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.steps).toEqual({});
  });
}
