import { expect, it } from 'vitest';

import type { SuiteContext } from './context.js';

const CONTENDERS = 50;

/** Atomicity: concurrent acquires of one key have exactly one winner. */
export function concurrencyTests(suite: SuiteContext): void {
  it(`${CONTENDERS} concurrent acquires of one key have one winner`, async () => {
    const key = suite.key();
    const requests = Array.from({ length: CONTENDERS }, () => suite.acquireRequest(key, { payloadHash: 'hash-1' }));

    const results = await Promise.all(requests.map((request) => suite.layer().acquire(request)));

    const winners = requests.filter((_, index) => results[index]?.acquired === true);
    expect(winners).toHaveLength(1);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.leaseToken).toBe(winners[0]?.leaseToken);
    for (const result of results) {
      if (!result.acquired) expect(result.record.leaseToken).toBe(winners[0]?.leaseToken);
    }
  });

  it(`${CONTENDERS} concurrent takeovers of a lapsed claim have one winner`, async () => {
    const key = suite.key();
    await suite.layer().acquire(suite.acquireRequest(key, { payloadHash: 'hash-1' }));
    await suite.time().advance(suite.leaseMs + suite.unitMs);
    const requests = Array.from({ length: CONTENDERS }, () => suite.acquireRequest(key, { payloadHash: 'hash-1' }));

    const results = await Promise.all(requests.map((request) => suite.layer().acquire(request)));

    expect(results.filter((result) => result.acquired)).toHaveLength(1);
  });

  it('concurrent completes by a stale and a fresh owner keep the fresh result', async () => {
    const key = suite.key();
    const stale = suite.acquireRequest(key);
    await suite.layer().acquire(stale);
    await suite.time().advance(suite.leaseMs + suite.unitMs);
    const fresh = suite.acquireRequest(key);
    await suite.layer().acquire(fresh);

    const [staleDone, freshDone] = await Promise.all([
      suite.layer().complete({ key, leaseToken: stale.leaseToken, response: 'stale', now: suite.time().now() }),
      suite.layer().complete({ key, leaseToken: fresh.leaseToken, response: 'fresh', now: suite.time().now() }),
    ]);

    expect(staleDone).toBe(false);
    expect(freshDone).toBe(true);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.response).toBe('fresh');
  });
}
