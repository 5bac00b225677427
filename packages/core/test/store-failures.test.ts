import {
  IdempotencyInProgressError,
  IdempotencyPersistenceError,
  IdempotencySerializationError,
  MemoryPersistenceLayer,
  type PersistenceLayer,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { RecordingLogger, TestClock, countCalls, deferred } from './support.js';

/** Returns a memory layer whose chosen methods reject as an unreachable store would. */
function failing(methods: (keyof PersistenceLayer)[], inner = new MemoryPersistenceLayer()): PersistenceLayer {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (!methods.includes(property as keyof PersistenceLayer)) return typeof value === 'function' ? value.bind(target) : value;
      return async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
      };
    },
  });
}

describe('store failures', () => {
  it('fails closed when acquire fails', async () => {
    let calls = 0;
    const fn = makeIdempotent(async (_id: string) => ++calls, { persistence: failing(['acquire']), namespace: 'closed' });

    const error = await fn('e').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as IdempotencyPersistenceError).statusCode).toBe(503);
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(calls).toBe(0);
  });

  it('runs without idempotency when acquire fails and failOpen is set', async () => {
    const logger = new RecordingLogger();
    const outcomes: string[] = [];
    let calls = 0;
    const fn = makeIdempotent(async (_id: string) => ++calls, {
      persistence: failing(['acquire']),
      namespace: 'open',
      failOpen: true,
      logger,
      onOutcome: (outcome) => outcomes.push(outcome.type),
    });

    await expect(fn('e')).resolves.toBe(1);
    expect(outcomes).toEqual(['failOpen']);
    expect(logger.lines.some((line) => line.level === 'error')).toBe(true);
  });

  it('fails the call when complete fails and keeps the claim', async () => {
    const inner = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_id: string) => ++calls, { persistence: failing(['complete'], inner), namespace: 'complete-fails' });

    const error = await fn('e').catch((thrown: unknown) => thrown);
    const retry = await fn('e').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    // The function ran. Until its lease lapses, a retry gets the in-progress error and does not run again.
    expect(IdempotencyInProgressError.is(retry)).toBe(true);
    expect(calls).toBe(1);
  });

  it('returns the result when complete fails and failOpen is set', async () => {
    const fn = makeIdempotent(async (_id: string) => 'charged', {
      persistence: failing(['complete']),
      namespace: 'complete-open',
      failOpen: true,
      logger: false,
    });

    await expect(fn('e')).resolves.toBe('charged');
  });

  it('rejects with the function error when release fails', async () => {
    const logger = new RecordingLogger();
    const fn = makeIdempotent(
      async (_id: string) => {
        throw new Error('downstream unavailable');
      },
      { persistence: failing(['release']), namespace: 'release-fails', logger },
    );

    await expect(fn('e')).rejects.toThrow('downstream unavailable');
    expect(logger.lines.some((line) => line.level === 'error' && /release/i.test(line.message))).toBe(true);
  });

  it('releases the claim when the result cannot be serialized', async () => {
    const persistence = new MemoryPersistenceLayer();
    class Receipt {
      readonly id = 'r-1';
    }
    let calls = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        calls++;
        return new Receipt();
      },
      { persistence, namespace: 'unserializable' },
    );

    const error = await fn('e').catch((thrown: unknown) => thrown);

    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect((error as IdempotencySerializationError).reason).toBe('unserializable');
    expect(persistence.size).toBe(0);
    await fn('e').catch(() => undefined);
    expect(calls).toBe(2);
  });

  it('releases the claim when the store rejects a record as too large', async () => {
    const inner = new MemoryPersistenceLayer();
    const limited = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'complete') {
          return async () => {
            throw new IdempotencySerializationError('record too large', { reason: 'too-large', sizeBytes: 500_000, limitBytes: 400_000 });
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const fn = makeIdempotent(async (_id: string) => 'x'.repeat(10), { persistence: limited, namespace: 'too-large' });

    const error = await fn('e').catch((thrown: unknown) => thrown);

    expect((error as IdempotencySerializationError).reason).toBe('too-large');
    expect(inner.size).toBe(0);
  });

  it('does not store a result that storeResult declines', async () => {
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_id: string) => ({ statusCode: 503, run: ++calls }), {
      persistence,
      namespace: 'store-result',
      storeResult: (result) => (result as { statusCode: number }).statusCode < 500,
    });

    await fn('e');
    await fn('e');

    expect(calls).toBe(2);
    expect(persistence.size).toBe(0);
  });
});

describe('in-progress wait', () => {
  it('returns the stored result once the first call completes', async () => {
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        calls++;
        await gate.promise;
        return 'first';
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'wait', inProgressWait: { maxWaitMs: 2_000, initialIntervalMs: 5 } },
    );

    const first = fn('e');
    const waiting = fn('e');
    setTimeout(() => gate.resolve(), 30);

    await expect(waiting).resolves.toBe('first');
    await expect(first).resolves.toBe('first');
    expect(calls).toBe(1);
  });

  it('fails with the in-progress error at the bound', async () => {
    const gate = deferred();
    const fn = makeIdempotent(
      async (_id: string) => {
        await gate.promise;
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'wait-bound', inProgressWait: { maxWaitMs: 40, initialIntervalMs: 5 } },
    );

    const first = fn('e');
    const startedAt = Date.now();
    const error = await fn('e').catch((thrown: unknown) => thrown);
    gate.resolve();
    await first;

    expect(IdempotencyInProgressError.is(error)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('runs the function when the first call failed while it waited', async () => {
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        calls++;
        if (calls === 1) {
          await gate.promise;
          throw new Error('first attempt failed');
        }
        return 'second';
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'wait-retry', inProgressWait: { maxWaitMs: 2_000, initialIntervalMs: 5 } },
    );

    const first = fn('e').catch((error: unknown) => error);
    const waiting = fn('e');
    setTimeout(() => gate.resolve(), 20);

    await expect(waiting).resolves.toBe('second');
    expect(await first).toBeInstanceOf(Error);
    expect(calls).toBe(2);
  });
});

describe('local cache', () => {
  it('replays completed records with no store round trip', async () => {
    const counted = countCalls(new MemoryPersistenceLayer());
    const fn = makeIdempotent(async (_id: string) => 'cached', {
      persistence: counted.layer,
      namespace: 'cache',
      localCache: { maxItems: 10 },
    });

    await fn('e');
    const afterFirst = counted.total();
    await fn('e');
    await fn('e');

    expect(afterFirst).toBe(2);
    expect(counted.total()).toBe(2);
  });

  it('never serves a record past its expiry', async () => {
    const clock = new TestClock();
    let calls = 0;
    const fn = makeIdempotent(async (_id: string) => `run ${++calls}`, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'cache-expiry',
      clock: clock.now,
      expiresAfterSeconds: 60,
      localCache: { maxItems: 10 },
    });

    await fn('e');
    clock.advance(59_999);
    await expect(fn('e')).resolves.toBe('run 1');
    clock.advance(1);
    await expect(fn('e')).resolves.toBe('run 2');
  });

  it('validates the payload of cached records', async () => {
    const fn = makeIdempotent(async (event: { id: string; cents: number }) => event.cents, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'cache-payload',
      key: (event) => event.id,
      payload: (event) => event.cents,
      localCache: { maxItems: 10 },
    });

    await fn({ id: 'p', cents: 1 });

    await expect(fn({ id: 'p', cents: 2 })).rejects.toMatchObject({ code: 'PAYLOAD_MISMATCH' });
  });

  it('keeps at most maxItems records', async () => {
    const counted = countCalls(new MemoryPersistenceLayer());
    const fn = makeIdempotent(async (id: string) => id, { persistence: counted.layer, namespace: 'cache-bound', localCache: { maxItems: 2 } });

    await fn('a');
    await fn('b');
    await fn('c');
    const before = counted.total();
    await fn('c');
    await fn('b');
    await fn('a');

    expect(counted.total() - before).toBe(1);
  });

  it('drops the least recently used record', async () => {
    const counted = countCalls(new MemoryPersistenceLayer());
    const fn = makeIdempotent(async (id: string) => id, { persistence: counted.layer, namespace: 'cache-lru', localCache: { maxItems: 2 } });
    await fn('a');
    await fn('b');
    await fn('a');
    await fn('c');

    const beforeA = counted.total();
    await fn('a');
    expect(counted.total() - beforeA).toBe(0);

    const beforeB = counted.total();
    await fn('b');
    expect(counted.total() - beforeB).toBe(1);
  });
});

describe('storeResult that throws', () => {
  it('releases the claim and rejects with its error', async () => {
    const persistence = new MemoryPersistenceLayer();
    const fn = makeIdempotent(async (_id: string) => 'r', {
      persistence,
      namespace: 'store-result-throws',
      storeResult: () => {
        throw new Error('predicate failed');
      },
    });

    await expect(fn('e')).rejects.toThrow('predicate failed');
    expect(persistence.size).toBe(0);
  });
});

describe('fail', () => {
  it('never throws, even when storeErrors throws', async () => {
    const logger = new RecordingLogger();
    const persistence = new MemoryPersistenceLayer();
    const fn = makeIdempotent(
      async (_id: string) => {
        throw new Error('declined');
      },
      {
        persistence,
        namespace: 'store-errors-throws',
        logger,
        storeErrors: () => {
          throw new Error('predicate failed');
        },
      },
    );

    await expect(fn('e')).rejects.toThrow('declined');
    expect(persistence.size).toBe(0);
    expect(logger.lines.some((line) => line.level === 'error' && /storeErrors/.test(line.message))).toBe(true);
  });

  it('is ignored after the claim was settled', async () => {
    const { Idempotency } = await import('@idemkit/idempotency-core');
    const idempotency = new Idempotency({ persistence: new MemoryPersistenceLayer(), namespace: 'settled-twice', logger: false });
    const start = await idempotency.begin('input', undefined);
    if (start.status !== 'claimed') throw new Error('expected a claim');

    await start.claim.complete('done');

    await expect(start.claim.fail(new Error('late'))).resolves.toBeUndefined();
  });
});
