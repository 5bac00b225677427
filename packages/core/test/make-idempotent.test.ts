import {
  deriveKey,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPayloadMismatchError,
  MemoryPersistenceLayer,
  fromHeader,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import { FALSY_RESULTS } from '@idemkit/idempotency-core/testing';
import { describe, expect, it } from 'vitest';

import { RecordingLogger, deferred } from './support.js';

describe('makeIdempotent', () => {
  it('runs once and replays the result', async () => {
    let calls = 0;
    const charge = makeIdempotent(async (input: { id: string }) => ({ run: ++calls, id: input.id, nonce: Math.random() }), {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'charge',
    });

    const first = await charge({ id: 'a' });
    const second = await charge({ id: 'a' });

    expect(second).toEqual(first);
    expect(calls).toBe(1);
  });

  it('keeps the function signature and this', async () => {
    const account = {
      balance: 10,
      debit: makeIdempotent(
        function (this: { balance: number }, cents: number) {
          this.balance -= cents;
          return this.balance;
        },
        { persistence: new MemoryPersistenceLayer(), namespace: 'debit' },
      ),
    };

    expect(await account.debit(3)).toBe(7);
    expect(await account.debit(3)).toBe(7);
    expect(account.balance).toBe(7);
  });

  it('treats member order as the same input', async () => {
    let calls = 0;
    const fn = makeIdempotent(async (_input: object) => ++calls, { persistence: new MemoryPersistenceLayer(), namespace: 'order' });

    await fn({ a: 1, b: { c: 2, d: 3 } });
    await fn({ b: { d: 3, c: 2 }, a: 1 });
    await fn({ a: 1, b: { c: 2, d: 4 } });

    expect(calls).toBe(2);
  });

  it.each(FALSY_RESULTS)('replays a falsy result %s with its type', async (_label, value) => {
    let calls = 0;
    const fn = makeIdempotent(
      async (_input: string) => {
        calls++;
        return value;
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'falsy' },
    );

    const first = await fn('event');
    const second = await fn('event');

    expect(first).toStrictEqual(value);
    expect(second).toStrictEqual(value);
    expect(typeof second).toBe(typeof value);
    expect(calls).toBe(1);
  });

  it('stores falsy results as COMPLETED records that read back as results', async () => {
    const persistence = new MemoryPersistenceLayer();
    const keys: string[] = [];
    const fn = makeIdempotent(async (input: { value: unknown }) => input.value, {
      persistence,
      namespace: 'falsy-records',
      onOutcome: (outcome) => {
        if (outcome.type === 'completed' && outcome.key !== undefined) keys.push(outcome.key);
      },
    });

    for (const value of [0, false, '', null]) await fn({ value });

    for (const key of keys) {
      const record = await persistence.get({ key, now: Date.now() });
      expect(record?.status).toBe('COMPLETED');
      expect(record?.response).not.toMatch(/^(None|undefined|null)$/);
    }
    expect(keys).toHaveLength(4);
  });

  it('releases the claim when the function fails, so a retry runs', async () => {
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(
      async (_event: { id: string }) => {
        calls++;
        if (calls === 1) throw new Error('downstream unavailable');
        return 'ok';
      },
      { persistence, namespace: 'flaky' },
    );

    await expect(fn({ id: 'e' })).rejects.toThrow('downstream unavailable');
    expect(persistence.size).toBe(0);
    await expect(fn({ id: 'e' })).resolves.toBe('ok');
    await expect(fn({ id: 'e' })).resolves.toBe('ok');
    expect(calls).toBe(2);
  });

  it('rejects the handler error itself, not a conflict, after a failure', async () => {
    const failure = new TypeError('card declined by bank');
    const fn = makeIdempotent(
      async (_paymentId: string) => {
        throw failure;
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'declines' },
    );

    const error = await fn('p-1').catch((thrown: unknown) => thrown);

    expect(error).toBe(failure);
    expect(IdempotencyInProgressError.is(error)).toBe(false);
  });

  it('never stores a failure unless storeErrors selects it', async () => {
    let calls = 0;
    const declined = makeIdempotent(
      async (_id: string) => {
        calls++;
        throw Object.assign(new Error('card declined'), { code: 'card_declined' });
      },
      {
        persistence: new MemoryPersistenceLayer(),
        namespace: 'store-errors',
        storeErrors: (error) => (error as { code?: string }).code === 'card_declined',
      },
    );

    const first = await declined('p-1').catch((error: unknown) => error);
    const replayed = await declined('p-1').catch((error: unknown) => error);

    expect(calls).toBe(1);
    expect(replayed).toBeInstanceOf(Error);
    expect((replayed as Error).message).toBe('card declined');
    expect((replayed as Error & { code: string }).code).toBe('card_declined');
    expect((first as Error).message).toBe('card declined');
  });

  it('rejects a repeat with another payload', async () => {
    let calls = 0;
    const fn = makeIdempotent(async (_event: { key: string; amount: number }) => ++calls, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'mismatch',
      key: (event) => event.key,
      payload: (event) => event.amount,
    });

    await fn({ key: 'k', amount: 10 });
    const error = await fn({ key: 'k', amount: 99 }).catch((thrown: unknown) => thrown);

    expect(IdempotencyPayloadMismatchError.is(error)).toBe(true);
    expect((error as IdempotencyPayloadMismatchError).code).toBe('PAYLOAD_MISMATCH');
    expect(calls).toBe(1);
    await expect(fn({ key: 'k', amount: 10 })).resolves.toBe(1);
  });

  it('rejects a repeat while the first call runs', async () => {
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        calls++;
        await gate.promise;
        return 'done';
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'concurrent', leaseMs: 30_000 },
    );

    const first = fn('same');
    const second = await fn('same').catch((error: unknown) => error);
    gate.resolve();

    expect(IdempotencyInProgressError.is(second)).toBe(true);
    expect((second as IdempotencyInProgressError).retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect((second as IdempotencyInProgressError).retryAfterSeconds).toBeLessThanOrEqual(30);
    await expect(first).resolves.toBe('done');
    await expect(fn('same')).resolves.toBe('done');
    expect(calls).toBe(1);
  });

  it('runs once among many concurrent calls', async () => {
    let calls = 0;
    const fn = makeIdempotent(
      async (_id: string) => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return 'once';
      },
      { persistence: new MemoryPersistenceLayer(), namespace: 'burst' },
    );

    const results = await Promise.allSettled(Array.from({ length: 64 }, () => fn('k')));

    expect(calls).toBe(1);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(IdempotencyInProgressError.is(result.reason)).toBe(true);
    }
  });
});

describe('missing key', () => {
  const keyless = [{ headers: {}, body: 'a' }, { headers: {}, body: 'b' }];

  it('runs every call without idempotency and writes nothing', async () => {
    const persistence = new MemoryPersistenceLayer();
    const logger = new RecordingLogger();
    let calls = 0;
    const fn = makeIdempotent(async (_event: unknown) => ({ id: crypto.randomUUID(), run: ++calls }), {
      persistence,
      namespace: 'keyless',
      key: fromHeader('idempotency-key'),
      logger,
    });

    const first = await fn(keyless[0]);
    const second = await fn(keyless[1]);

    expect(calls).toBe(2);
    expect(first.id).not.toBe(second.id);
    expect(persistence.size).toBe(0);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });

  it('throws the missing-key error with requireKey and writes nothing', async () => {
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_event: unknown) => ++calls, {
      persistence,
      namespace: 'keyless-strict',
      key: fromHeader('idempotency-key'),
      requireKey: true,
    });

    for (const event of keyless) {
      const error = await fn(event).catch((thrown: unknown) => thrown);
      expect(IdempotencyKeyMissingError.is(error)).toBe(true);
      expect((error as IdempotencyKeyMissingError).statusCode).toBe(400);
    }
    expect(calls).toBe(0);
    expect(persistence.size).toBe(0);
  });

  it('counts null as a missing key', async () => {
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_event: { id: string | null }) => ++calls, {
      persistence,
      namespace: 'null-key',
      key: (event) => event.id,
      logger: false,
    });

    await fn({ id: null });
    await fn({ id: null });

    expect(calls).toBe(2);
    expect(persistence.size).toBe(0);
  });
});

describe('rejected calls', () => {
  it('leave the running claim and the completed record intact', async () => {
    const persistence = new MemoryPersistenceLayer();
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (event: { id: string; cents: number }) => {
        calls++;
        await gate.promise;
        return `charged ${event.cents}`;
      },
      { persistence, namespace: 'rejections', key: (event) => event.id, payload: (event) => event.cents },
    );
    const key = await deriveKey({ id: 'E' }, { namespace: 'rejections', key: (event: { id: string }) => event.id });

    const running = fn({ id: 'E', cents: 5 });
    const duplicate = await fn({ id: 'E', cents: 5 }).catch((error: unknown) => error);
    const claimAfterDuplicate = await persistence.get({ key, now: Date.now() });
    const secondDuplicate = await fn({ id: 'E', cents: 5 }).catch((error: unknown) => error);
    gate.resolve();
    await running;
    const mismatch = await fn({ id: 'E', cents: 6 }).catch((error: unknown) => error);
    const recordAfterMismatch = await persistence.get({ key, now: Date.now() });

    expect(IdempotencyInProgressError.is(duplicate)).toBe(true);
    expect(claimAfterDuplicate?.status).toBe('IN_PROGRESS');
    expect(IdempotencyInProgressError.is(secondDuplicate)).toBe(true);
    expect(IdempotencyPayloadMismatchError.is(mismatch)).toBe(true);
    expect(recordAfterMismatch?.status).toBe('COMPLETED');
    await expect(fn({ id: 'E', cents: 5 })).resolves.toBe('charged 5');
    expect(calls).toBe(1);
  });
});
