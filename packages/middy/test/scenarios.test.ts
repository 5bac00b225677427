// One table of core scenarios, run through makeIdempotent and through the middleware on both
// Middy majors, on the memory store.
import {
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPayloadMismatchError,
  MemoryPersistenceLayer,
} from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import type { IdempotencyMiddlewareOptions } from '../src/index.js';
import { deferred, type Entry, entries, type Invoke, lambdaContext, RecordingLogger, recordFor, settleMicrotasks, TestClock } from './support.js';

interface Order {
  readonly orderId?: string;
  readonly cents?: number;
}

const NAMESPACE = 'scenarios';
const byOrderId = (event: Order): string | undefined => event.orderId;

class Harness {
  readonly persistence = new MemoryPersistenceLayer();
  readonly clock = new TestClock();
  readonly logger = new RecordingLogger();
  readonly entry: Entry;
  calls = 0;

  constructor(entry: Entry) {
    this.entry = entry;
  }

  wrap(handler: (event: Order) => unknown, overrides: Partial<IdempotencyMiddlewareOptions<Order>> = {}): Invoke {
    return this.entry.wrap(
      async (event: Order) => {
        this.calls++;
        return handler(event);
      },
      { persistence: this.persistence, namespace: NAMESPACE, key: byOrderId, clock: this.clock.now, logger: this.logger, ...overrides },
    );
  }

  record(event: Order) {
    return recordFor(this.persistence, event, { namespace: NAMESPACE, key: byOrderId }, this.clock.nowMs);
  }
}

interface Scenario {
  readonly name: string;
  run(harness: Harness): Promise<void>;
}

const scenarios: Scenario[] = [
  {
    name: 'first call runs and stores',
    async run(h) {
      const invoke = h.wrap((event) => ({ charged: event.cents, id: crypto.randomUUID() }));
      const result = await invoke({ orderId: 'o-1', cents: 500 });
      expect(result).toMatchObject({ charged: 500 });
      expect(h.calls).toBe(1);
      expect((await h.record({ orderId: 'o-1' }))?.status).toBe('COMPLETED');
    },
  },
  {
    name: 'repeat replays the stored result',
    async run(h) {
      const invoke = h.wrap(() => ({ id: crypto.randomUUID() }));
      const first = await invoke({ orderId: 'o-1' });
      const second = await invoke({ orderId: 'o-1' });
      expect(second).toEqual(first);
      expect(h.calls).toBe(1);
    },
  },
  {
    name: 'repeat in progress is rejected',
    async run(h) {
      const gate = deferred();
      const invoke = h.wrap(async () => {
        await gate.promise;
        return 'done';
      });
      const first = invoke({ orderId: 'o-1' });
      await settleMicrotasks();

      const rejection = await invoke({ orderId: 'o-1' }).catch((error: unknown) => error);
      expect(rejection).toBeInstanceOf(IdempotencyInProgressError);
      expect((rejection as IdempotencyInProgressError).code).toBe('IN_PROGRESS');
      expect((rejection as IdempotencyInProgressError).retryAfterMs).toBeGreaterThan(0);
      // The rejected duplicate leaves the first call's claim in place.
      expect((await h.record({ orderId: 'o-1' }))?.status).toBe('IN_PROGRESS');
      await expect(invoke({ orderId: 'o-1' })).rejects.toBeInstanceOf(IdempotencyInProgressError);

      gate.resolve();
      expect(await first).toBe('done');
      expect(await invoke({ orderId: 'o-1' })).toBe('done');
      expect(h.calls).toBe(1);
    },
  },
  {
    name: 'failure releases the claim',
    async run(h) {
      const invoke = h.wrap(() => {
        if (h.calls === 1) throw new Error('downstream unavailable');
        return 'ok';
      });
      await expect(invoke({ orderId: 'o-1' })).rejects.toThrow('downstream unavailable');
      expect(await h.record({ orderId: 'o-1' })).toBeUndefined();
      expect(await invoke({ orderId: 'o-1' })).toBe('ok');
      expect(await invoke({ orderId: 'o-1' })).toBe('ok');
      expect(h.calls).toBe(2);
    },
  },
  {
    name: 'other payload is rejected',
    async run(h) {
      const invoke = h.wrap((event) => ({ charged: event.cents }), { payload: (event) => event.cents });
      await invoke({ orderId: 'o-1', cents: 500 });
      const rejection = await invoke({ orderId: 'o-1', cents: 900 }).catch((error: unknown) => error);
      expect(rejection).toBeInstanceOf(IdempotencyPayloadMismatchError);
      expect((rejection as IdempotencyPayloadMismatchError).code).toBe('PAYLOAD_MISMATCH');
      // The mismatch leaves the first call's record intact: the original still replays.
      expect((await h.record({ orderId: 'o-1' }))?.status).toBe('COMPLETED');
      expect(await invoke({ orderId: 'o-1', cents: 500 })).toEqual({ charged: 500 });
      expect(h.calls).toBe(1);
    },
  },
  {
    name: 'missing key runs without idempotency',
    async run(h) {
      const invoke = h.wrap(() => crypto.randomUUID());
      const first = await invoke({ cents: 1 });
      const second = await invoke({ cents: 2 });
      expect(first).not.toBe(second);
      expect(h.calls).toBe(2);
      expect(h.persistence.size).toBe(0);
      expect(h.logger.lines.some((line) => line.level === 'warn' && line.message.includes('No idempotency key'))).toBe(true);
    },
  },
  {
    name: 'missing key rejected when required',
    async run(h) {
      const invoke = h.wrap(() => 'ran', { requireKey: true });
      const rejection = await invoke({ cents: 1 }).catch((error: unknown) => error);
      expect(rejection).toBeInstanceOf(IdempotencyKeyMissingError);
      expect((rejection as IdempotencyKeyMissingError).code).toBe('KEY_MISSING');
      expect(h.calls).toBe(0);
      expect(h.persistence.size).toBe(0);
    },
  },
  {
    name: 'lapsed lease is taken over',
    async run(h) {
      const stalled = deferred();
      const invoke = h.wrap(async () => {
        if (h.calls === 1) {
          await stalled.promise;
          return 'stale';
        }
        return 'fresh';
      });
      // The first call's lease is the context's remaining time: 1 s.
      const first = invoke({ orderId: 'o-1' }, lambdaContext(1000));
      await settleMicrotasks();
      await expect(invoke({ orderId: 'o-1' }, lambdaContext(1000))).rejects.toBeInstanceOf(IdempotencyInProgressError);

      h.clock.advance(1001);
      expect(await invoke({ orderId: 'o-1' }, lambdaContext(1000))).toBe('fresh');
      stalled.resolve();
      // The stale call still returns its own result, but cannot overwrite the new owner's.
      expect(await first).toBe('stale');
      expect(await invoke({ orderId: 'o-1' })).toBe('fresh');
      expect(h.calls).toBe(2);
      expect(h.logger.lines.some((line) => line.message.includes('Lease lost'))).toBe(true);
    },
  },
  ...[0, false, '', null, undefined, {}, []].map(
    (value): Scenario => ({
      name: `result ${JSON.stringify(value) ?? 'undefined'} replays as itself`,
      async run(h) {
        const invoke = h.wrap(() => value);
        expect(await invoke({ orderId: 'o-1' })).toStrictEqual(value);
        expect((await h.record({ orderId: 'o-1' }))?.status).toBe('COMPLETED');
        const replayed = await invoke({ orderId: 'o-1' });
        expect(replayed).toStrictEqual(value);
        expect(typeof replayed).toBe(typeof value);
        expect(h.calls).toBe(1);
      },
    }),
  ),
];

describe.each(entries)('$name', (entry) => {
  it.each(scenarios)('$name', async (scenario) => {
    await scenario.run(new Harness(entry));
  });
});
