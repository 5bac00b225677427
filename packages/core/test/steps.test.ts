import {
  IdempotencyConfigError,
  IdempotencyLeaseLostError,
  MemoryPersistenceLayer,
  makeIdempotent,
  step,
} from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { TestClock, countCalls, deferred } from './support.js';

describe('steps', () => {
  it('resumes after the last completed step', async () => {
    const persistence = new MemoryPersistenceLayer();
    let charges = 0;
    let ledgerAttempts = 0;
    const pay = makeIdempotent(
      async (order: { id: string }) => {
        const charge = await step('charge', async () => ({ chargeId: `ch-${++charges}`, at: new Date(0) }));
        await step('ledger', async () => {
          ledgerAttempts++;
          if (ledgerAttempts === 1) throw new Error('ledger unavailable');
          return true;
        });
        return { order: order.id, charge };
      },
      { persistence, namespace: 'pay' },
    );

    await expect(pay({ id: 'o-1' })).rejects.toThrow('ledger unavailable');
    const result = await pay({ id: 'o-1' });

    expect(charges).toBe(1);
    expect(ledgerAttempts).toBe(2);
    expect(result).toEqual({ order: 'o-1', charge: { chargeId: 'ch-1', at: new Date(0) } });
    await expect(pay({ id: 'o-1' })).resolves.toEqual(result);
    expect(charges).toBe(1);
  });

  it('saves each step in one store call', async () => {
    const counted = countCalls(new MemoryPersistenceLayer());
    const fn = makeIdempotent(
      async (_id: string) => {
        await step('a', () => 1);
        await step('b', () => 2);
        return 3;
      },
      { persistence: counted.layer, namespace: 'step-calls' },
    );

    await fn('x');

    expect(counted.calls).toEqual({ acquire: 1, saveStep: 2, complete: 1 });
  });

  it('gives each step a stable key to pass on', async () => {
    const seen: string[] = [];
    const fn = makeIdempotent(
      async (_id: string) => {
        await step('charge', ({ key }) => {
          seen.push(key);
          if (seen.length === 1) throw new Error('provider timeout');
        });
        return 'ok';
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'step-keys' },
    );

    await fn('x').catch(() => undefined);
    await fn('x');

    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toMatch(/^step-keys#[A-Za-z0-9_-]{43}\.charge$/);
  });

  it('rejects a repeated step name', async () => {
    const fn = makeIdempotent(
      async (_id: string) => {
        await step('charge', () => 1);
        await step('charge', () => 2);
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'step-twice' },
    );

    const error = await fn('x').catch((thrown: unknown) => thrown);

    expect(IdempotencyConfigError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/used twice/);
  });

  it('rejects step outside an idempotent call', async () => {
    await expect(step('charge', () => 1)).rejects.toThrow(/outside an idempotent call/);
  });

  it('does not reuse steps for another payload', async () => {
    const persistence = new MemoryPersistenceLayer();
    let charges = 0;
    const fn = makeIdempotent(
      async (event: { id: string; cents: number }) => {
        await step('charge', () => ++charges);
        throw new Error('later failure');
      },
      { persistence, namespace: 'step-payload', key: (event) => event.id, payload: (event) => event.cents },
    );

    await fn({ id: 'p', cents: 1 }).catch(() => undefined);
    const error = await fn({ id: 'p', cents: 2 }).catch((thrown: unknown) => thrown);

    expect((error as { code?: string }).code).toBe('PAYLOAD_MISMATCH');
    expect(charges).toBe(1);
  });

  it('stops a stale worker whose claim was taken over', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const stalled = deferred();
    let runs = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        const run = ++runs;
        if (run === 1) await stalled.promise;
        await step('charge', () => run);
        return run;
      },
      { persistence, namespace: 'step-stale', clock: clock.now, leaseMs: 1_000, logger: false },
    );

    const stale = fn('x').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(1_001);
    await expect(fn('x')).resolves.toBe(2);
    stalled.resolve();

    expect(IdempotencyLeaseLostError.is(await stale)).toBe(true);
  });

  it('keeps steps through a timeout and replays them after the lease lapses', async () => {
    const clock = new TestClock();
    const persistence = new MemoryPersistenceLayer();
    const hang = deferred();
    let charges = 0;
    let runs = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        runs++;
        await step('charge', () => ++charges);
        if (runs === 1) await hang.promise;
        return charges;
      },
      { persistence, namespace: 'step-timeout', clock: clock.now, leaseMs: 1_000, logger: false },
    );

    void fn('x');
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(1_001);

    await expect(fn('x')).resolves.toBe(1);
    expect(charges).toBe(1);
  });
});
