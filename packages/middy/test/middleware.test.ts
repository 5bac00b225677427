import {
  fromBody,
  IdempotencyConfigError,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  IdempotencyPersistenceError,
  MemoryPersistenceLayer,
  type PersistenceLayer,
} from '@idemkit/idempotency-core';
import jsonBodyParser from '@middy/http-json-body-parser';
import { describe, expect, it, vi } from 'vitest';

import { idempotency, type IdempotentContext, type PersistenceFactoryRequest } from '../src/index.js';
import { deferred, lambdaContext, middyMajors, recordFor, settleMicrotasks } from './support.js';

const NAMESPACE = 'middleware';
const byId = (event: { id?: string }): string | undefined => event.id;

/** Counts the calls of every method of a layer, passing them through. */
function counting(layer: PersistenceLayer): { layer: PersistenceLayer; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(layer, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(property)] = (calls[String(property)] ?? 0) + 1;
        return (value as (...values: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { layer: proxy, calls };
}

describe.each(middyMajors)('$name', ({ middy }) => {
  it('earlier failing middleware leaves store alone', async () => {
    const { layer, calls } = counting(new MemoryPersistenceLayer());
    const handler = vi.fn(async () => 'ran');
    const invoke = middy(handler)
      .use({
        before: () => {
          throw new Error('authorizer failed');
        },
      })
      .use(idempotency({ persistence: layer, namespace: NAMESPACE, key: byId, logger: false }));

    await expect(invoke({ id: 'a' }, lambdaContext())).rejects.toThrow('authorizer failed');
    expect(handler).not.toHaveBeenCalled();
    expect(calls).toEqual({});
  });

  it('rejected duplicate never releases the claim', async () => {
    const { layer, calls } = counting(new MemoryPersistenceLayer());
    const gate = deferred();
    let runs = 0;
    const invoke = middy(async () => {
      runs++;
      await gate.promise;
      return 'first';
    }).use(idempotency({ persistence: layer, namespace: NAMESPACE, key: byId, logger: false }));

    const first = invoke({ id: 'a' }, lambdaContext());
    await settleMicrotasks();
    await expect(invoke({ id: 'a' }, lambdaContext())).rejects.toBeInstanceOf(IdempotencyInProgressError);
    await expect(invoke({ id: 'a' }, lambdaContext())).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(calls.release).toBeUndefined();
    expect(calls.delete).toBeUndefined();
    expect((await recordFor(layer, { id: 'a' }, { namespace: NAMESPACE, key: byId }))?.status).toBe('IN_PROGRESS');

    gate.resolve();
    expect(await first).toBe('first');
    expect(await invoke({ id: 'a' }, lambdaContext())).toBe('first');
    expect(runs).toBe(1);
  });

  it('payload mismatch keeps the completed record', async () => {
    const { layer, calls } = counting(new MemoryPersistenceLayer());
    const invoke = middy(async (event: { id: string; cents: number }) => ({ charged: event.cents })).use(
      idempotency<{ id: string; cents: number }>({ persistence: layer, namespace: NAMESPACE, key: byId, payload: (event) => event.cents, logger: false }),
    );

    await invoke({ id: 'a', cents: 1 }, lambdaContext());
    await expect(invoke({ id: 'a', cents: 2 }, lambdaContext())).rejects.toBeInstanceOf(IdempotencyPayloadMismatchError);
    expect(calls.release).toBeUndefined();
    expect(calls.delete).toBeUndefined();
    expect(await invoke({ id: 'a', cents: 1 }, lambdaContext())).toEqual({ charged: 1 });
  });

  it('inner after failure releases the claim', async () => {
    const persistence = new MemoryPersistenceLayer();
    let runs = 0;
    let failAfter = true;
    const invoke = middy(async () => ++runs)
      .use(idempotency({ persistence, namespace: NAMESPACE, key: byId, logger: false }))
      .use({
        after: () => {
          if (failAfter) throw new Error('serializer failed');
        },
      });

    await expect(invoke({ id: 'a' }, lambdaContext())).rejects.toThrow('serializer failed');
    expect(await recordFor(persistence, { id: 'a' }, { namespace: NAMESPACE, key: byId })).toBeUndefined();
    failAfter = false;
    expect(await invoke({ id: 'a' }, lambdaContext())).toBe(2);
    expect(await invoke({ id: 'a' }, lambdaContext())).toBe(2);
  });

  it('outer after failure keeps the stored result', async () => {
    const persistence = new MemoryPersistenceLayer();
    let runs = 0;
    const invoke = middy(async () => ++runs)
      .use({
        after: () => {
          throw new Error('metrics failed');
        },
      })
      .use(idempotency({ persistence, namespace: NAMESPACE, key: byId, logger: false }));

    await expect(invoke({ id: 'a' }, lambdaContext())).rejects.toThrow('metrics failed');
    expect((await recordFor(persistence, { id: 'a' }, { namespace: NAMESPACE, key: byId }))?.status).toBe('COMPLETED');
  });

  it('key same before and after body parser', async () => {
    const persistence = new MemoryPersistenceLayer();
    let runs = 0;
    const options = { persistence, namespace: NAMESPACE, key: fromBody(), payload: fromBody(), logger: false as const };
    const handler = async () => ++runs;
    const parserFirst = middy(handler).use(jsonBodyParser()).use(idempotency(options));
    const parserLast = middy(handler).use(idempotency(options)).use(jsonBodyParser());

    const bodies = [
      '{"item":"I-1","note":"n"}',
      '{\n  "item": "I-1",\n  "note": "n"\n}',
      '{"note":"n","item":"I-1"}',
    ];
    for (const invoke of [parserFirst, parserLast]) {
      for (const body of bodies) {
        const event = { headers: { 'content-type': 'application/json' }, body };
        expect(await invoke(event as never, lambdaContext())).toBe(1);
      }
    }
    expect(runs).toBe(1);
  });

  it('namespace and lease come from context', async () => {
    const persistence = new MemoryPersistenceLayer();
    const now = Date.UTC(2026, 0, 1);
    const invoke = middy(async () => {
      const record = await recordFor(persistence, { id: 'a' }, { namespace: 'payments-fn', key: byId }, now);
      return record?.leaseExpiresAt;
    }).use(idempotency({ persistence, key: byId, clock: () => now, logger: false }));

    expect(await invoke({ id: 'a' }, lambdaContext(12_345, 'payments-fn'))).toBe(now + 12_345);
  });

  it('context.idempotency runs resumable steps', async () => {
    const persistence = new MemoryPersistenceLayer();
    const charge = vi.fn(async (stepKey: string) => ({ chargeId: `ch-${stepKey.length}` }));
    let attempt = 0;
    const seen: unknown[] = [];
    const invoke = middy(async (_event: { id?: string }, context: IdempotentContext) => {
      seen.push(context.idempotency?.key);
      if (context.idempotency === undefined) return 'no claim';
      const result = await context.idempotency.step('charge', ({ key }) => charge(key));
      if (++attempt === 1) throw new Error('ledger unavailable');
      return result;
    }).use(idempotency({ persistence, namespace: NAMESPACE, key: byId, logger: false }));

    const context = lambdaContext();
    await expect(invoke({ id: 'a' }, context)).rejects.toThrow('ledger unavailable');
    const result = await invoke({ id: 'a' }, context);
    expect(result).toEqual({ chargeId: expect.any(String) });
    expect(charge).toHaveBeenCalledTimes(1);
    expect(seen[0]).toMatch(/^middleware#/);
    expect(seen[1]).toBe(seen[0]);

    // A call without a key runs without a claim, and finds none left over from the last call.
    expect(await invoke({}, context)).toBe('no claim');
    expect(seen[2]).toBeUndefined();
  });

  it('shared internal keeps requests apart', async () => {
    const persistence = new MemoryPersistenceLayer();
    const gates = { a: deferred(), b: deferred() };
    let runs = 0;
    // Middy 6 hands every request the same `internal` object when the plugin sets one.
    const invoke = middy(
      async (event: { id: 'a' | 'b' }) => {
        runs++;
        await gates[event.id].promise;
        return `done ${event.id}`;
      },
      { internal: {} },
    ).use(idempotency({ persistence, namespace: NAMESPACE, key: byId, logger: false }));

    const first = invoke({ id: 'a' }, lambdaContext());
    await settleMicrotasks();
    const second = invoke({ id: 'b' }, lambdaContext());
    await settleMicrotasks();
    gates.a.resolve();
    gates.b.resolve();

    expect(await first).toBe('done a');
    expect(await second).toBe('done b');
    for (const id of ['a', 'b'] as const) {
      expect((await recordFor(persistence, { id }, { namespace: NAMESPACE, key: byId }))?.status).toBe('COMPLETED');
      expect(await invoke({ id }, lambdaContext())).toBe(`done ${id}`);
    }
    expect(runs).toBe(2);
  });

  it('stored error replays without running', async () => {
    const persistence = new MemoryPersistenceLayer();
    let runs = 0;
    const invoke = middy(async () => {
      runs++;
      throw Object.assign(new Error('card declined'), { statusCode: 402 });
    }).use(
      idempotency({ persistence, namespace: NAMESPACE, key: byId, logger: false, storeErrors: (error) => (error as { statusCode?: number }).statusCode === 402 }),
    );

    await expect(invoke({ id: 'a' }, lambdaContext())).rejects.toThrow('card declined');
    const replayed = await invoke({ id: 'a' }, lambdaContext()).catch((error: unknown) => error);
    expect((replayed as Error).message).toBe('card declined');
    expect((replayed as { statusCode?: number }).statusCode).toBe(402);
    expect(runs).toBe(1);
  });

  it('persistence factory runs on first request', async () => {
    const persistence = new MemoryPersistenceLayer();
    let attempts = 0;
    const factory = vi.fn(async (request: PersistenceFactoryRequest) => {
      attempts++;
      if (attempts === 1) throw new Error('parameter not found');
      expect(request.context.storeUrl).toBe('memory://test');
      return persistence;
    });
    const invoke = middy(async () => 'ran')
      .before((request) => {
        Object.assign(request.context, { storeUrl: 'memory://test' });
      })
      .use(idempotency({ persistence: factory, namespace: NAMESPACE, key: byId, logger: false }));

    const failure = await invoke({ id: 'a' }, lambdaContext()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IdempotencyPersistenceError);
    expect((failure as Error).message).toContain('parameter not found');
    expect(await invoke({ id: 'a' }, lambdaContext())).toBe('ran');
    expect(await invoke({ id: 'b' }, lambdaContext())).toBe('ran');
    expect(factory).toHaveBeenCalledTimes(2);
    expect(persistence.size).toBe(2);
  });
});

describe('options', () => {
  const persistence = new MemoryPersistenceLayer();

  it('unknown option is rejected', () => {
    expect(() => idempotency({ persistence, expiresAfterSecond: 5 } as never)).toThrow(IdempotencyConfigError);
    expect(() => idempotency({ persistence, expiresAfterSecond: 5 } as never)).toThrow(/Unknown option options\.expiresAfterSecond/);
  });

  it('options checked before factory runs', () => {
    const factory = vi.fn(() => persistence);
    expect(() => idempotency({ persistence: factory, expiresAfterSeconds: -5 })).toThrow(/expiresAfterSeconds must be a positive integer, got -5/);
    expect(factory).not.toHaveBeenCalled();
  });

  it.each([
    [{ http: 'yes' }, /http must be true, false or/],
    [{ http: { header: 'X-Key' } }, /Unknown option http\.header/],
    [{ http: { keyHeader: 'Bad Header' } }, /http\.keyHeader must be an HTTP header name/],
    [{ http: { maxKeyLength: 0 } }, /http\.maxKeyLength must be an integer from 1 to 1024, got 0/],
    [{ http: { maxKeyLength: 2000 } }, /got 2000/],
  ])('http option %j rejected', (http, message) => {
    const error = (() => {
      try {
        idempotency({ persistence, ...http } as never);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IdempotencyConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
