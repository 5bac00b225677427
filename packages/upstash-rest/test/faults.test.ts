import { findFreePort } from '@idemkit/test-support';
import {
  type IdempotencyOptions,
  type IdempotencyOutcomeType,
  IdempotencyInProgressError,
  IdempotencyPersistenceError,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { UpstashPersistenceLayer } from '../src/index.js';
import {
  acquireRequest,
  inspector,
  layerFor,
  loadScripts,
  type PrivateServers,
  randomKeyPrefix,
  rejection,
  sleep,
  startPrivateServers,
} from './support.js';

const LEASE_MS = 300;

// A redis-server of this file's own: the tests count the commands that ran, so the scripts must
// stay loaded after the warm-up, whatever other tests do to their Redis.
let servers: PrivateServers;
let server: UpstashRestServer;
let direct: Redis;

beforeAll(async () => {
  servers = await startPrivateServers();
  server = servers.server;
  direct = inspector(server);
  await loadScripts(layerFor(server));
});

afterEach(() => server.faults.clear());

afterAll(() => servers?.stop());

/** A function under test with its own layer and key prefix, counting its runs and outcomes. */
function scenario(options: Partial<IdempotencyOptions<{ id: string }>> = {}) {
  const keyPrefix = randomKeyPrefix();
  const layer = layerFor(server, { keyPrefix });
  const outcomes: IdempotencyOutcomeType[] = [];
  const warnings: string[] = [];
  const state = { runs: 0 };
  const call = makeIdempotent(
    async ({ id }: { id: string }) => {
      state.runs++;
      return `${id}:${crypto.randomUUID()}`;
    },
    {
      persistence: layer,
      namespace: 'faults',
      leaseMs: LEASE_MS,
      logger: { warn: (message: string) => warnings.push(message), error: (message: string) => warnings.push(message) },
      onOutcome: (outcome) => outcomes.push(outcome.type),
      ...options,
    },
  );
  const keys = () => direct.keys(`${keyPrefix}*`);
  return { call, layer, outcomes, warnings, state, keys };
}

describe('lost response after the server ran the command', () => {
  it('lost acquire response still runs once', async () => {
    const { call, outcomes, warnings, state } = scenario();
    server.stats.reset();
    server.faults.inject({ kind: 'drop-after-run' });

    const result = await call({ id: 'order-1' });
    const replayed = await call({ id: 'order-1' });

    expect(server.stats.faultsFired).toBe(1);
    // The acquire script ran twice (the client retried), then complete and the replay's acquire.
    expect(server.stats.commands.total).toBe(4);
    expect(state.runs).toBe(1);
    expect(replayed).toBe(result);
    expect(outcomes).toEqual(['acquired', 'completed', 'replayed']);
    expect(warnings).toEqual([]);
  });

  it('lost complete response still reports success', async () => {
    const { call, outcomes, warnings, state } = scenario();
    server.stats.reset();
    server.faults.inject({ kind: 'drop-after-run', skip: 1 });

    const result = await call({ id: 'order-2' });
    const replayed = await call({ id: 'order-2' });

    expect(server.stats.faultsFired).toBe(1);
    expect(server.stats.commands.total).toBe(4);
    expect(state.runs).toBe(1);
    expect(replayed).toBe(result);
    expect(outcomes).toEqual(['acquired', 'completed', 'replayed']);
    expect(outcomes).not.toContain('leaseLost');
    expect(warnings).toEqual([]);
  });

  it('retried fenced writes report what they did', async () => {
    const { layer } = scenario();
    const withSteps = acquireRequest('retried');
    const withoutSteps = acquireRequest('retried');
    const now = Date.now();
    await layer.acquire(withSteps);
    await layer.acquire(withoutSteps);
    server.stats.reset();

    // Each write below runs twice: once before its response is dropped, once on the client's retry.
    const retried = async <T>(write: () => Promise<T>): Promise<T> => {
      server.faults.inject({ kind: 'drop-after-run' });
      return write();
    };
    const saved = await retried(() => layer.saveStep({ key: withSteps.key, leaseToken: withSteps.leaseToken, name: 'charge', result: 'c1', now }));
    const extended = await retried(() => layer.extend({ key: withSteps.key, leaseToken: withSteps.leaseToken, leaseMs: 10_000, now }));
    const releasedWithSteps = await retried(() => layer.release({ key: withSteps.key, leaseToken: withSteps.leaseToken, now }));
    const releasedWithoutSteps = await retried(() => layer.release({ key: withoutSteps.key, leaseToken: withoutSteps.leaseToken, now }));
    const takeover = acquireRequest('retried', { key: withSteps.key });
    const acquired = await retried(() => layer.acquire(takeover));
    const completed = await retried(() => layer.complete({ key: withSteps.key, leaseToken: takeover.leaseToken, response: 'done', now }));

    expect(server.stats.faultsFired).toBe(6);
    expect(server.stats.commands.total).toBe(12);
    expect(saved).toBe(true);
    expect(extended).toBe(true);
    expect(releasedWithSteps).toBe(true);
    // The first run deleted the record, so the retry finds nothing to release.
    expect(releasedWithoutSteps).toBe(false);
    expect(await layer.get({ key: withoutSteps.key, now })).toBeUndefined();
    expect(acquired).toEqual({ acquired: true, steps: { charge: 'c1' } });
    expect(completed).toBe(true);
    const record = await layer.get({ key: withSteps.key, now });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.response).toBe('done');
    expect(record?.leaseToken).toBe(takeover.leaseToken);
    expect(record?.steps).toEqual({ charge: 'c1' });
  });

  it('lost response without retries is an error', async () => {
    const layer = layerFor(server, { redis: { retry: { retries: 0 } } });
    server.faults.inject({ kind: 'drop-after-run' });

    const error = await rejection(layer.acquire(acquireRequest('no-retry')));

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as IdempotencyPersistenceError).cause).toBeInstanceOf(Error);
  });
});

describe('5xx responses', () => {
  it('5xx before acquire fails typed and runs nothing', async () => {
    const { call, state, keys } = scenario();
    server.faults.inject({ kind: 'status-before-run', status: 503 });

    const error = await rejection(call({ id: 'order-3' }));

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(IdempotencyInProgressError.is(error)).toBe(false);
    expect((error as IdempotencyPersistenceError).code).toBe('PERSISTENCE');
    expect(String(((error as IdempotencyPersistenceError).cause as Error).message)).toMatch(/^ERR injected/);
    expect(state.runs).toBe(0);
    expect(await keys()).toEqual([]);
    expect(await call({ id: 'order-3' })).toMatch(/^order-3:/);
    expect(state.runs).toBe(1);
  });

  it('5xx after acquire ran locks only for the lease', async () => {
    const { call, state } = scenario();
    server.faults.inject({ kind: 'status-after-run', status: 500 });

    const error = await rejection(call({ id: 'order-4' }));
    const whileLeased = await rejection(call({ id: 'order-4' }));
    await sleep(LEASE_MS + 50);
    const afterLease = await call({ id: 'order-4' });

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(IdempotencyInProgressError.is(whileLeased)).toBe(true);
    expect((whileLeased as IdempotencyInProgressError).retryAfterMs).toBeLessThanOrEqual(LEASE_MS);
    expect(afterLease).toMatch(/^order-4:/);
    expect(state.runs).toBe(1);
  });

  it('5xx before complete frees the key after the lease', async () => {
    const { call, state, layer } = scenario();
    server.faults.inject({ kind: 'status-before-run', status: 502, skip: 1 });

    const error = await rejection(call({ id: 'secret-order' }));
    const whileLeased = await rejection(call({ id: 'secret-order' }));
    await sleep(LEASE_MS + 50);
    const rerun = await call({ id: 'secret-order' });
    const replayed = await call({ id: 'secret-order' });

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    const message = (error as IdempotencyPersistenceError).message;
    expect(message).toMatch(/^UpstashPersistenceLayer: complete failed for the record faults#/);
    expect(message).not.toContain('secret-order');
    expect(message).not.toContain('command was');
    expect(IdempotencyInProgressError.is(whileLeased)).toBe(true);
    // The result was never stored, so the call after the lease runs the function again.
    expect(state.runs).toBe(2);
    expect(replayed).toBe(rerun);
    expect(layer.traits.clock).toBe('store');
  });

  it('5xx after complete ran keeps the stored result', async () => {
    const { call, state } = scenario();
    server.faults.inject({ kind: 'status-after-run', status: 503, skip: 1 });

    const error = await rejection(call({ id: 'order-5' }));
    const replayed = await call({ id: 'order-5' });

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(replayed).toMatch(/^order-5:/);
    expect(state.runs).toBe(1);
  });
});

describe('unreachable server', () => {
  it('refused connection is an error, not in progress', async () => {
    const port = await findFreePort();
    const layer = UpstashPersistenceLayer.fromEnv({
      env: { UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${port}`, UPSTASH_REDIS_REST_TOKEN: 'unused' },
      redis: { retry: { retries: 1, backoff: () => 10 } },
    });
    let runs = 0;
    const call = makeIdempotent(async (_order: { id: string }) => ++runs, { persistence: layer, namespace: 'down', logger: false });
    const startedAt = Date.now();

    const error = await rejection(call({ id: 'order-6' }));

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(IdempotencyInProgressError.is(error)).toBe(false);
    expect((error as IdempotencyPersistenceError).message).toContain('Check UPSTASH_REDIS_REST_URL');
    expect((error as IdempotencyPersistenceError).cause).toBeInstanceOf(Error);
    expect(runs).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('wrong token is an error naming the token', async () => {
    const layer = UpstashPersistenceLayer.fromEnv({ env: { UPSTASH_REDIS_REST_URL: server.url, UPSTASH_REDIS_REST_TOKEN: 'wrong-token' } });

    const error = await rejection(layer.acquire(acquireRequest('unauthorized')));

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as IdempotencyPersistenceError).message).toContain('Check UPSTASH_REDIS_REST_TOKEN');
    expect((error as IdempotencyPersistenceError).message).not.toContain('wrong-token');
  });
});
