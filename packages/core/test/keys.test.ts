import { MemoryPersistenceLayer, deriveKey, makeIdempotent } from '@idemkit/idempotency-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { RecordingLogger, lambdaContext } from './support.js';

describe('keys', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('builds namespace#digest with a base64url SHA-256', async () => {
    const key = await deriveKey({ booking: 'B-1' }, { namespace: 'bookings' });

    expect(key).toMatch(/^bookings#[A-Za-z0-9_-]{43}$/);
  });

  it('keeps two functions sharing a store apart', async () => {
    const persistence = new MemoryPersistenceLayer();
    const keys: string[] = [];
    const record = (outcome: { type: string; key?: string }): void => {
      if (outcome.type === 'acquired' && outcome.key !== undefined) keys.push(outcome.key);
    };
    const handlerA = makeIdempotent(async (_event: unknown, _context: unknown) => 'A', { persistence, onOutcome: record });
    const handlerB = makeIdempotent(async (_event: unknown, _context: unknown) => 'B', { persistence, onOutcome: record });

    const a = await handlerA({ booking: 'B-1' }, lambdaContext(10_000, 'fn-a'));
    const b = await handlerB({ booking: 'B-1' }, lambdaContext(10_000, 'fn-b'));
    const againA = await handlerA({ booking: 'B-1' }, lambdaContext(10_000, 'fn-a'));

    expect([a, b, againA]).toEqual(['A', 'B', 'A']);
    expect(keys).toHaveLength(2);
    expect(keys[0]?.split('#')[0]).not.toBe(keys[1]?.split('#')[0]);
    expect(keys[0]?.startsWith('fn-a#')).toBe(true);
    expect(keys[1]?.startsWith('fn-b#')).toBe(true);
  });

  it('keeps the key stable across warm invocations', async () => {
    const persistence = new MemoryPersistenceLayer();
    const keys: string[] = [];
    const handler = makeIdempotent(async function handler(_event: unknown, _context: unknown) {
      throw new Error('released, so every invocation acquires');
    }, { persistence, onOutcome: (outcome) => outcome.type === 'acquired' && keys.push(outcome.key ?? '') });

    for (let invocation = 0; invocation < 3; invocation++) {
      await handler({ booking: 'B-1' }, lambdaContext(10_000, 'fn-a')).catch(() => undefined);
    }

    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]?.startsWith('fn-a.handler#')).toBe(true);
  });

  it('takes the function name from AWS_LAMBDA_FUNCTION_NAME without a context', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'orders-fn');
    const keys: string[] = [];
    const handler = makeIdempotent(async function process(_event: unknown) {
      return 1;
    }, { persistence: new MemoryPersistenceLayer({ logger: false }), onOutcome: (outcome) => outcome.type === 'acquired' && keys.push(outcome.key ?? '') });

    await handler({ id: 1 });

    expect(keys[0]?.startsWith('orders-fn.process#')).toBe(true);
  });

  it('prefers an explicit namespace', async () => {
    const keys: string[] = [];
    const handler = makeIdempotent(async (_event: unknown, _context: unknown) => 1, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'payments-v2',
      onOutcome: (outcome) => outcome.type === 'acquired' && keys.push(outcome.key ?? ''),
    });

    await handler({ id: 1 }, lambdaContext(1_000, 'fn-a'));

    expect(keys[0]?.startsWith('payments-v2#')).toBe(true);
  });

  it('warns once when it has no name to use', async () => {
    const logger = new RecordingLogger();
    const handler = makeIdempotent(async (value: unknown) => value, { persistence: new MemoryPersistenceLayer(), logger });
    Object.defineProperty(handler, 'name', { value: '' });

    await handler(1);
    await handler(2);

    const warnings = logger.lines.filter((line) => /namespace/i.test(line.message));
    expect(warnings).toHaveLength(1);
  });

  it('never replays one scope to another', async () => {
    let calls = 0;
    const fn = makeIdempotent(async (event: { tenant: string; key: string }) => `${event.tenant}:${++calls}`, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'tenants',
      key: (event) => event.key,
      scope: (event) => event.tenant,
    });

    const a = await fn({ tenant: 'A', key: 'same' });
    const b = await fn({ tenant: 'B', key: 'same' });

    expect(a).toBe('A:1');
    expect(b).toBe('B:2');
    expect(await fn({ tenant: 'A', key: 'same' })).toBe('A:1');
  });

  it('derives the key that makeIdempotent uses', async () => {
    const persistence = new MemoryPersistenceLayer();
    const fn = makeIdempotent(async (event: { id: string }) => event.id, { persistence, namespace: 'lookup', key: (event) => event.id });
    await fn({ id: 'x' });

    const key = await deriveKey({ id: 'x' }, { namespace: 'lookup', key: (event) => event.id });

    expect((await persistence.get({ key, now: Date.now() }))?.status).toBe('COMPLETED');
    await persistence.delete({ key });
    expect(await persistence.get({ key, now: Date.now() })).toBeUndefined();
  });

  it('computes the key and fingerprint once, before the function runs', async () => {
    let keyReads = 0;
    let payloadReads = 0;
    const fn = makeIdempotent(
      async (event: { id: string; items: string[] }) => {
        event.items.push('mutated by the function');
        return event.items.length;
      },
      {
        persistence: new MemoryPersistenceLayer(),
        namespace: 'once',
        key: (event) => {
          keyReads++;
          return event.id;
        },
        payload: (event) => {
          payloadReads++;
          return event.items;
        },
      },
    );

    await fn({ id: 'a', items: ['x'] });

    expect(keyReads).toBe(1);
    expect(payloadReads).toBe(1);
  });
});
