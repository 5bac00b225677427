// A short day through the real servers on loopback: the demo's smoke test.
import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { runDay } from '../src/day.ts';
import { judge } from '../src/report.ts';
import { openStore } from '../src/stores.ts';

describe('payments day', () => {
  it('charges every payment once', async () => {
    const result = await runDay({
      persistence: new MemoryPersistenceLayer(),
      payments: 60,
      concurrency: 8,
      seed: 7,
      functionTimeoutMs: 3000,
      client: { timeoutMs: 300, maxAttempts: 12, maxRetryWaitMs: 500 },
    });
    const verdict = judge(result);
    const planned = (behaviour: string) => result.plan.filter((payment) => payment.behaviour === behaviour);

    expect(verdict.chargedTwiceOrMore).toEqual([]);
    expect(verdict.notCharged).toEqual([]);
    expect(verdict.ledgerRowsWrong).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(result.client.abandoned).toBe(0);
    expect(result.client.unexpected).toBe(0);
    // Each injected failure costs one extra run; nothing else runs twice.
    expect(result.app.executions).toBe(result.plan.length + planned('fault').length);
    expect(result.client.mismatches).toBe(planned('reused-key').length);
    expect(result.client.replays).toBeGreaterThan(0);
    expect(result.client.conflicts).toBeGreaterThan(0);
  }, 30_000);
});

describe('stores', () => {
  it.each(['memory', 'redis', 'dynamodb', 'upstash'] as const)('a short day on %s charges every payment once', async (name) => {
    const store = await openStore(name);
    try {
      const result = await runDay({
        persistence: store.persistence,
        payments: 30,
        concurrency: 6,
        seed: 11,
        functionTimeoutMs: 3000,
        client: { timeoutMs: 500, maxAttempts: 12, maxRetryWaitMs: 500 },
      });
      const verdict = judge(result);

      expect(verdict.chargedTwiceOrMore).toEqual([]);
      expect(verdict.notCharged).toEqual([]);
      expect(verdict.ledgerRowsWrong).toEqual([]);
      expect(result.client.unexpected).toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});
