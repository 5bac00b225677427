import { randomUUID } from 'node:crypto';

import { deriveKey, IdempotencyError, makeIdempotent } from '@idemkit/idempotency-core';
import { FALSY_RESULTS } from '@idemkit/idempotency-core/testing';
import { describe, expect, it } from 'vitest';

import { useSharedRedis } from './support.js';

const shared = useSharedRedis();
const { keyPrefix } = shared;

type Input = { readonly orderId: string };

function input(): Input {
  return { orderId: randomUUID() };
}

async function recordKey(namespace: string, value: Input): Promise<string> {
  return deriveKey(value, { namespace });
}

describe('falsy results', () => {
  it.each(FALSY_RESULTS)('%s replays with its type', async (_label, result) => {
    const namespace = `falsy-${randomUUID()}`;
    const event = input();
    let runs = 0;
    const call = makeIdempotent(
      async (_event: Input) => {
        runs++;
        return result;
      },
      { persistence: shared.layer, namespace },
    );

    const first = await call(event);
    const replayed = await call(event);

    expect(first).toStrictEqual(result);
    expect(replayed).toStrictEqual(result);
    expect(typeof replayed).toBe(typeof result);
    expect(runs).toBe(1);
    const key = await recordKey(namespace, event);
    const record = await shared.layer.get({ key, now: Date.now() });
    expect(record?.status).toBe('COMPLETED');
    expect(typeof record?.response).toBe('string');
    expect(['None', 'null', 'undefined', '']).not.toContain(record?.response);
    expect(await shared.client.hget(keyPrefix + key, 'response')).toBe(record?.response);
  });

  it('record without a response reads back without one', async () => {
    const key = `no-response#${randomUUID()}`;
    await shared.layer.acquire({ key, leaseToken: randomUUID(), leaseMs: 10_000, expiresAfterMs: 60_000, now: Date.now() });

    const record = await shared.layer.get({ key, now: Date.now() });
    const blocked = await shared.layer.acquire({ key, leaseToken: randomUUID(), leaseMs: 10_000, expiresAfterMs: 60_000, now: Date.now() });

    expect(record?.status).toBe('IN_PROGRESS');
    expect(record).not.toHaveProperty('response');
    expect(blocked.acquired ? 'acquired' : blocked.record.response).toBeUndefined();
    expect(await shared.client.hexists(keyPrefix + key, 'response')).toBe(0);
  });
});

describe('failed function', () => {
  it('leaves no record, and a retry runs', async () => {
    const namespace = `failing-${randomUUID()}`;
    const event = input();
    const key = await recordKey(namespace, event);
    let runs = 0;
    const call = makeIdempotent(
      async (_event: Input) => {
        runs++;
        if (runs === 1) throw new Error('downstream unavailable');
        return 'ok';
      },
      { persistence: shared.layer, namespace },
    );

    const failure = await call(event).catch((error: unknown) => error);
    const recordAfterFailure = await shared.layer.get({ key, now: Date.now() });
    const keyAfterFailure = await shared.client.exists(keyPrefix + key);
    const retried = await call(event);
    const replayed = await call(event);

    expect((failure as Error).message).toBe('downstream unavailable');
    expect(IdempotencyError.is(failure)).toBe(false);
    expect(recordAfterFailure).toBeUndefined();
    expect(keyAfterFailure).toBe(0);
    expect(retried).toBe('ok');
    expect(replayed).toBe('ok');
    expect(runs).toBe(2);
  });
});
