import { randomUUID } from 'node:crypto';

import { type IdempotencyOptions, IdempotencyInProgressError, makeIdempotent, step } from '@idemkit/idempotency-core';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { UpstashPersistenceLayer } from '../src/index.js';
import { acquireRequest, deferred, inspector, layerFor, loadScripts, type PrivateServers, startPrivateServers } from './support.js';

// Servers of this file's own: the counts are the requests that this file's calls sent, and
// flushing the script cache disturbs no other test.
let servers: PrivateServers;
let server: UpstashRestServer;
let direct: Redis;
let layer: UpstashPersistenceLayer;

beforeAll(async () => {
  servers = await startPrivateServers();
  server = servers.server;
  direct = inspector(server);
  layer = layerFor(server);
  await loadScripts(layer);
});

afterAll(() => servers?.stop());

/** Runs `action` and returns the HTTP requests and the Redis commands the server received meanwhile. */
async function count(action: () => Promise<unknown>): Promise<{ requests: number; commands: number }> {
  server.stats.reset();
  await action();
  return { requests: server.stats.requests.total, commands: server.stats.commands.total };
}

function idempotent<T>(fn: (input: { id: string }) => Promise<T>, options: Partial<IdempotencyOptions<{ id: string }>> = {}) {
  return makeIdempotent(fn, { persistence: layer, namespace: `counted-${randomUUID()}`, logger: false, ...options });
}

describe('requests per call through makeIdempotent', () => {
  it('first call sends two requests', async () => {
    const call = idempotent(async ({ id }) => `done ${id}`);

    const sent = await count(() => call({ id: 'a' }));

    expect(sent).toEqual({ requests: 2, commands: 2 });
  });

  it('replay sends one request', async () => {
    const call = idempotent(async ({ id }) => `done ${id}`);
    await call({ id: 'a' });

    const sent = await count(async () => expect(await call({ id: 'a' })).toBe('done a'));

    expect(sent).toEqual({ requests: 1, commands: 1 });
  });

  it('replay from the local cache sends none', async () => {
    const call = idempotent(async ({ id }) => `done ${id}`, { localCache: { maxItems: 100 } });
    await call({ id: 'a' });

    const sent = await count(async () => expect(await call({ id: 'a' })).toBe('done a'));

    expect(sent).toEqual({ requests: 0, commands: 0 });
  });

  it('call while in progress sends one request', async () => {
    const started = deferred();
    const finish = deferred();
    const call = idempotent(async () => {
      started.resolve();
      await finish.promise;
      return 'first';
    });
    const first = call({ id: 'a' });
    await started.promise;

    let rejected: unknown;
    const sent = await count(async () => {
      rejected = await call({ id: 'a' }).catch((error: unknown) => error);
    });
    finish.resolve();

    expect(sent).toEqual({ requests: 1, commands: 1 });
    expect(IdempotencyInProgressError.is(rejected)).toBe(true);
    expect(await first).toBe('first');
  });

  it('failed call sends two requests', async () => {
    const call = idempotent(async () => {
      throw new Error('downstream unavailable');
    });

    const sent = await count(() => call({ id: 'a' }).catch(() => undefined));

    expect(sent).toEqual({ requests: 2, commands: 2 });
  });

  it('call without a key sends none', async () => {
    let runs = 0;
    const call = idempotent(async () => ++runs, { key: () => undefined });
    const keysBefore = await direct.dbsize();

    const sent = await count(async () => {
      await call({ id: 'a' });
      await call({ id: 'b' });
    });

    expect(sent).toEqual({ requests: 0, commands: 0 });
    expect(runs).toBe(2);
    expect(await direct.dbsize()).toBe(keysBefore);
  });
});

describe('requests per contract method', () => {
  it('each method sends one EVALSHA when scripts are loaded', async () => {
    const request = acquireRequest('per-method');
    const { key, leaseToken } = request;
    const calls: Record<string, () => Promise<unknown>> = {
      acquire: () => layer.acquire(request),
      saveStep: () => layer.saveStep({ key, leaseToken, name: 'charge', result: 'c1', now: Date.now() }),
      extend: () => layer.extend({ key, leaseToken, leaseMs: 10_000, now: Date.now() }),
      get: () => layer.get({ key, now: Date.now() }),
      complete: () => layer.complete({ key, leaseToken, response: 'done', now: Date.now() }),
      release: () => layer.release({ key, leaseToken, now: Date.now() }),
      delete: () => layer.delete({ key }),
    };

    for (const [method, call] of Object.entries(calls)) {
      const sent = await count(call);
      expect({ method, ...sent }).toEqual({ method, requests: 1, commands: 1 });
    }
  });

  it('flushed scripts cost one EVAL more, once', async () => {
    await direct.scriptFlush();
    const first = acquireRequest('flushed');
    const second = acquireRequest('flushed');

    const cold = await count(() => layer.acquire(first));
    const warm = await count(() => layer.acquire(second));

    expect(cold).toEqual({ requests: 2, commands: 2 });
    expect(warm).toEqual({ requests: 1, commands: 1 });
    expect((await layer.get({ key: first.key, now: Date.now() }))?.leaseToken).toBe(first.leaseToken);
  });
});

describe('requests per step', () => {
  // An earlier test flushes the script cache; load the scripts again so no NOSCRIPT is counted.
  beforeAll(() => loadScripts(layer));

  it('each step sends one request', async () => {
    const call = idempotent(async ({ id }) => {
      await step('charge', () => `charge ${id}`);
      await step('ledger', () => `ledger ${id}`);
      return 'paid';
    });

    // acquire, two steps, complete
    expect(await count(() => call({ id: 'a' }))).toEqual({ requests: 4, commands: 4 });
  });

  it('retry gets stored steps with its acquire', async () => {
    let ledgerAttempts = 0;
    const call = idempotent(async ({ id }) => {
      await step('charge', () => `charge ${id}`);
      await step('ledger', () => {
        if (++ledgerAttempts === 1) throw new Error('ledger unavailable');
        return 'row';
      });
      return 'paid';
    });
    await call({ id: 'a' }).catch(() => undefined);

    // acquire (with the charge step), the ledger step, complete
    expect(await count(() => call({ id: 'a' }))).toEqual({ requests: 3, commands: 3 });
  });
});
