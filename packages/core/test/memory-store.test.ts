import { IdempotencyConfigError, IdempotencyPersistenceError, MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

const HOUR_MS = 3_600_000;

async function claim(layer: MemoryPersistenceLayer, key: string, now = 1_000): Promise<string> {
  const leaseToken = crypto.randomUUID();
  const result = await layer.acquire({ key, leaseToken, leaseMs: 30_000, expiresAfterMs: HOUR_MS, now });
  expect(result.acquired).toBe(true);
  return leaseToken;
}

describe('MemoryPersistenceLayer', () => {
  it('evicts the oldest COMPLETED record when full', async () => {
    const layer = new MemoryPersistenceLayer({ maxItems: 2 });
    const first = await claim(layer, 'a');
    await layer.complete({ key: 'a', leaseToken: first, response: 'r', now: 1_000 });
    await claim(layer, 'b');

    await claim(layer, 'c');

    expect(layer.size).toBe(2);
    expect(await layer.get({ key: 'a', now: 1_000 })).toBeUndefined();
    expect((await layer.get({ key: 'b', now: 1_000 }))?.status).toBe('IN_PROGRESS');
  });

  it('never evicts an IN_PROGRESS record and says so when full', async () => {
    const layer = new MemoryPersistenceLayer({ maxItems: 2 });
    await claim(layer, 'a');
    await claim(layer, 'b');

    const error = await layer
      .acquire({ key: 'c', leaseToken: 't', leaseMs: 1, expiresAfterMs: HOUR_MS, now: 1_000 })
      .catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/Raise maxItems/);
    expect((await layer.get({ key: 'a', now: 1_000 }))?.status).toBe('IN_PROGRESS');
  });

  it('makes room by dropping an expired record', async () => {
    const layer = new MemoryPersistenceLayer({ maxItems: 1 });
    await claim(layer, 'old', 1_000);

    await claim(layer, 'new', 1_000 + HOUR_MS);

    expect(layer.size).toBe(1);
  });

  it('returns copies that callers cannot change', async () => {
    const layer = new MemoryPersistenceLayer();
    const token = await claim(layer, 'k');
    await layer.saveStep({ key: 'k', leaseToken: token, name: 's', result: 'v', now: 1_000 });

    const record = await layer.get({ key: 'k', now: 1_000 });
    (record?.steps as Record<string, string>).s = 'changed';

    expect((await layer.get({ key: 'k', now: 1_000 }))?.steps).toEqual({ s: 'v' });
  });

  it('rejects an invalid maxItems', () => {
    expect(() => new MemoryPersistenceLayer({ maxItems: 0 })).toThrow(IdempotencyConfigError);
  });
});
