import { IdempotencyInProgressError, IdempotencyPersistenceError, makeIdempotent } from '@idemkit/idempotency-core';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { UpstashPersistenceLayer } from '../src/index.js';
import { acquireRequest, deferred, deleteKeysWithPrefix, inspector, layerFor, randomKeyPrefix, rejection, sleep, startServer } from './support.js';

const keyPrefix = randomKeyPrefix();
let server: UpstashRestServer;
let direct: Redis;

beforeAll(async () => {
  server = await startServer();
  direct = inspector(server);
});

afterEach(() => server.faults.clear());

afterAll(async () => {
  await deleteKeysWithPrefix(direct, keyPrefix);
  await server?.close();
});

/**
 * Layers with a client each, as separate function instances have: every acquire travels in a
 * request of its own instead of sharing one auto-pipelined request.
 */
function instances(count: number): UpstashPersistenceLayer[] {
  return Array.from({ length: count }, () => layerFor(server, { keyPrefix }));
}

describe('concurrent acquires through the real client', () => {
  it('two concurrent calls run the function once', async () => {
    const [a, b] = instances(2) as [UpstashPersistenceLayer, UpstashPersistenceLayer];
    const release = deferred();
    const entered = deferred();
    let runs = 0;
    const handler = async (_order: { id: string }) => {
      runs++;
      entered.resolve();
      await release.promise;
      return 'charged';
    };
    let key = '';
    const options = { namespace: 'b14', logger: false as const, onOutcome: (outcome: { key?: string }) => (key = outcome.key ?? key) };
    const callA = makeIdempotent(handler, { ...options, persistence: a });
    const callB = makeIdempotent(handler, { ...options, persistence: b });

    const settled = Promise.allSettled([callA({ id: 'order-1' }), callB({ id: 'order-1' })]);
    await entered.promise;
    const claimed = await a.get({ key, now: Date.now() });
    release.resolve();
    const [first, second] = await settled;

    const outcomes = [first, second];
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(runs).toBe(1);
    expect(fulfilled).toHaveLength(1);
    expect(fulfilled[0]?.value).toBe('charged');
    expect(rejected).toHaveLength(1);
    expect(IdempotencyInProgressError.is(rejected[0]?.reason)).toBe(true);
    expect(claimed?.status).toBe('IN_PROGRESS');
    const completed = await a.get({ key, now: Date.now() });
    expect(completed?.status).toBe('COMPLETED');
    expect(completed?.leaseToken).toBe(claimed?.leaseToken);
    expect(completed?.expiresAt).toBe(claimed?.expiresAt);
  });

  it('50 concurrent acquires keep one winner', async () => {
    const layers = instances(50);
    const key = acquireRequest('b14').key;
    const requests = layers.map(() => acquireRequest('b14', { key }));

    const results = await Promise.all(layers.map((layer, index) => layer.acquire(requests[index] as (typeof requests)[number])));
    const afterRace = await layers[0]?.get({ key, now: Date.now() });
    await sleep(20);
    const later = await layers[0]?.get({ key, now: Date.now() });

    const winners = requests.filter((_, index) => results[index]?.acquired === true);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    expect(afterRace?.leaseToken).toBe(winner?.leaseToken);
    for (const result of results) {
      if (result.acquired) continue;
      expect(result.record.leaseToken).toBe(winner?.leaseToken);
      expect(result.record.expiresAt).toBe(afterRace?.expiresAt);
      expect(result.record.leaseExpiresAt).toBe(afterRace?.leaseExpiresAt);
    }
    expect(later).toEqual(afterRace);
  });

  it('HTTP error in a race is an error, not in progress', async () => {
    const [a, b] = instances(2) as [UpstashPersistenceLayer, UpstashPersistenceLayer];
    const key = acquireRequest('b14').key;
    const first = acquireRequest('b14', { key });
    const second = acquireRequest('b14', { key });
    server.faults.inject({ kind: 'status-before-run', status: 503 });

    const settled = await Promise.allSettled([a.acquire(first), b.acquire(second)]);

    // The fault hits whichever request reached the server first, and the other one wins the key.
    const failures = settled.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reason);
    const successes = settled.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value);
    expect(failures).toHaveLength(1);
    expect(IdempotencyPersistenceError.is(failures[0])).toBe(true);
    expect(IdempotencyInProgressError.is(failures[0])).toBe(false);
    expect(successes).toEqual([{ acquired: true, steps: {} }]);
  });

  it('network error on a held key is an error', async () => {
    const holder = instances(1)[0] as UpstashPersistenceLayer;
    const noRetry = layerFor(server, { keyPrefix, redis: { retry: { retries: 0 } } });
    const key = acquireRequest('b14').key;
    await holder.acquire(acquireRequest('b14', { key }));
    server.faults.inject({ kind: 'drop-after-run' });

    const error = await rejection(noRetry.acquire(acquireRequest('b14', { key })));

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(IdempotencyInProgressError.is(error)).toBe(false);
  });
});
