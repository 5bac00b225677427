// The supported orders of the middleware beside @middy/http-error-handler and @middy/http-cors.
// Middy skips every after phase on an early response, so what a replay carries depends on which
// after phases ran before the response was stored: see the README's table.
import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import { describe, expect, it } from 'vitest';

import { idempotency } from '../src/index.js';
import { httpApiEvent, headerOf, problemOf } from './events.js';
import { deferred, lambdaContext, middyMajors, settleMicrotasks } from './support.js';

const ORIGIN = 'https://shop.example';
const event = (key: string, body = '{"cents":500}') => httpApiEvent({ headers: { 'Idempotency-Key': key, Origin: ORIGIN }, body });

type Layer = 'errors' | 'cors' | 'idempotency';

const orders: readonly (readonly Layer[])[] = [
  ['errors', 'idempotency'],
  ['idempotency', 'errors'],
  ['errors', 'cors', 'idempotency'],
  ['errors', 'idempotency', 'cors'],
  ['cors', 'idempotency', 'errors'],
  ['idempotency', 'cors', 'errors'],
];

describe.each(middyMajors)('$name', ({ middy }) => {
  function build(order: readonly Layer[], handler: (runs: number) => Promise<unknown>) {
    const state = { runs: 0 };
    const persistence = new MemoryPersistenceLayer();
    let wrapped = middy(async () => handler(++state.runs));
    for (const layer of order) {
      if (layer === 'errors') wrapped = wrapped.use(httpErrorHandler({ logger: false }));
      if (layer === 'cors') wrapped = wrapped.use(httpCors({ origins: [ORIGIN] }));
      if (layer === 'idempotency') wrapped = wrapped.use(idempotency({ persistence, namespace: 'orders', http: true, requireKey: true, logger: false }));
    }
    return { state, invoke: (request: Record<string, unknown>) => wrapped(request, lambdaContext()) };
  }

  describe.each(orders.map((order) => ({ order, name: order.join(' > ') })))('$name', ({ order }) => {
    const corsOuter = order.includes('cors') && order.indexOf('cors') < order.indexOf('idempotency');
    const corsInner = order.includes('cors') && !corsOuter;

    it('outcomes are the same problem responses', async () => {
      const gate = deferred();
      const { invoke } = build(order, async (runs) => {
        if (runs === 1) await gate.promise;
        return { statusCode: 201, body: '{"ok":true}' };
      });

      const first = invoke(event('k-1'));
      await settleMicrotasks();
      const conflict = await invoke(event('k-1'));
      gate.resolve();
      await first;
      const mismatch = await invoke(event('k-1', '{"cents":1}'));
      const missing = await invoke(httpApiEvent({ body: '{}' }));
      const malformed = await invoke(event('a\nb'));

      for (const [response, status, code] of [
        [conflict, 409, 'IN_PROGRESS'],
        [mismatch, 422, 'PAYLOAD_MISMATCH'],
        [missing, 400, 'KEY_MISSING'],
        [malformed, 400, 'KEY_INVALID'],
      ] as const) {
        expect(response).toMatchObject({ statusCode: status });
        expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
        expect(problemOf(response)).toMatchObject({ status, code });
      }
      expect(headerOf(conflict, 'Retry-After')).toBe('30');
      // http-cors adds its headers to our problem responses only from outside.
      expect(headerOf(conflict, 'Access-Control-Allow-Origin')).toBe(corsOuter ? ORIGIN : undefined);
    });

    it('handler error is rendered and released', async () => {
      const { state, invoke } = build(order, async (runs) => {
        if (runs === 1) throw new Error('ledger unavailable');
        return { statusCode: 201, body: '{"ok":true}' };
      });
      expect(await invoke(event('k-1'))).toMatchObject({ statusCode: 500 });
      expect(await invoke(event('k-1'))).toMatchObject({ statusCode: 201 });
      expect(state.runs).toBe(2);
    });

    it('replay carries CORS headers when cors is inside', async () => {
      const { state, invoke } = build(order, async () => ({ statusCode: 201, headers: {}, body: '{"ok":true}' }));
      const first = await invoke(event('k-1'));
      const replay = await invoke(event('k-1'));

      expect(state.runs).toBe(1);
      expect(headerOf(replay, 'Idempotent-Replayed')).toBe('true');
      if (order.includes('cors')) expect(headerOf(first, 'Access-Control-Allow-Origin')).toBe(ORIGIN);
      // A replay skips every after phase, so only headers stored with the response come back.
      expect(headerOf(replay, 'Access-Control-Allow-Origin')).toBe(corsInner ? ORIGIN : undefined);
    });
  });
});
