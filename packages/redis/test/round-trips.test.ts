import { randomUUID } from 'node:crypto';

import { IdempotencyInProgressError, IdempotencyPersistenceError, makeIdempotent, type IdempotencyOptions, step } from '@idemkit/idempotency-core';
import { type RedisServer, startRedisServer } from '@idemkit/test-support';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisPersistenceLayer } from '../src/index.js';
import { CommandMonitor, connectRedis } from './support.js';

const KEY_PREFIX = 'idem:';

// A server of this file's own: MONITOR reports the commands of every client, so nothing else may use it.
let server: RedisServer;
let client: Redis;
let monitor: CommandMonitor;
let layer: RedisPersistenceLayer;

beforeAll(async () => {
  server = await startRedisServer();
  client = await connectRedis(server.url);
  monitor = await CommandMonitor.start(server.url);
  layer = RedisPersistenceLayer.fromUrl(server.url, { keyPrefix: KEY_PREFIX });
  await warmUp();
});

afterAll(async () => {
  await layer?.close();
  await monitor?.close();
  await client?.quit();
  await server?.stop();
});

/** Runs every script once, so that the counted calls find them loaded and send EVALSHA. */
async function warmUp(): Promise<void> {
  const request = acquireRequest(`warm-up#${randomUUID()}`);
  await layer.acquire(request);
  await layer.saveStep({ key: request.key, leaseToken: request.leaseToken, name: 'step', result: 'r', now: Date.now() });
  await layer.extend({ key: request.key, leaseToken: request.leaseToken, leaseMs: 1000, now: Date.now() });
  await layer.complete({ key: request.key, leaseToken: request.leaseToken, response: 'r', now: Date.now() });
  await layer.release({ key: request.key, leaseToken: request.leaseToken, now: Date.now() });
  await layer.get({ key: request.key, now: Date.now() });
}

function acquireRequest(key: string, leaseMs = 30_000, expiresAfterMs = 60_000): Parameters<RedisPersistenceLayer['acquire']>[0] {
  return { key, leaseToken: randomUUID(), leaseMs, expiresAfterMs, now: Date.now() };
}

function idempotent<T>(fn: (input: { id: string }) => Promise<T>, options: Partial<IdempotencyOptions<{ id: string }>> = {}) {
  return makeIdempotent(fn, { persistence: layer, namespace: `counted-${randomUUID()}`, logger: false, ...options });
}

/** Names of the commands that clients sent, in order: one per round trip. */
async function clientCommands(action: () => Promise<unknown>): Promise<string[]> {
  const commands = await monitor.record(action);
  return commands.filter((command) => !command.fromScript).map((command) => command.name);
}

describe('round trips per call', () => {
  it('first call sends two commands', async () => {
    const call = idempotent(async ({ id }) => `done ${id}`);

    const commands = await clientCommands(() => call({ id: 'a' }));

    expect(commands).toEqual(['evalsha', 'evalsha']);
  });

  it('replay sends one command', async () => {
    const call = idempotent(async ({ id }) => `done ${id}`);
    await call({ id: 'a' });

    const commands = await clientCommands(() => call({ id: 'a' }));

    expect(commands).toEqual(['evalsha']);
  });

  it('replay from the local cache sends none', async () => {
    const call = idempotent(async ({ id }) => `done ${id}`, { localCache: { maxItems: 100 } });
    await call({ id: 'a' });

    const commands = await clientCommands(async () => expect(await call({ id: 'a' })).toBe('done a'));

    expect(commands).toEqual([]);
  });

  it('call while in progress sends one command', async () => {
    let finish = (): void => {};
    let started = (): void => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const call = idempotent(async () => {
      started();
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return 'first';
    });
    const first = call({ id: 'a' });
    await running;

    let rejection: unknown;
    const commands = await clientCommands(async () => {
      rejection = await call({ id: 'a' }).catch((error: unknown) => error);
    });
    finish();

    expect(commands).toEqual(['evalsha']);
    expect(IdempotencyInProgressError.is(rejection)).toBe(true);
    expect(await first).toBe('first');
  });

  it('failed call sends two commands', async () => {
    const call = idempotent(async () => {
      throw new Error('downstream unavailable');
    });

    const commands = await clientCommands(() => call({ id: 'a' }).catch(() => undefined));

    expect(commands).toEqual(['evalsha', 'evalsha']);
  });

  it('call without a key writes nothing', async () => {
    let runs = 0;
    const call = idempotent(async () => ++runs, { key: () => undefined });
    const keysBefore = await client.dbsize();

    const commands = await clientCommands(async () => {
      await call({ id: 'a' });
      await call({ id: 'b' });
    });

    expect(commands).toEqual([]);
    expect(runs).toBe(2);
    expect(await client.dbsize()).toBe(keysBefore);
  });
});

describe('record expiry', () => {
  it('acquire creates the record and its expiry in one script', async () => {
    const request = acquireRequest(`expiry#${randomUUID()}`, 1_000, 60_000);

    const commands = await monitor.record(() => layer.acquire(request));

    const sent = commands.filter((command) => !command.fromScript);
    const inScript = commands.filter((command) => command.fromScript).map((command) => command.name);
    expect(sent.map((command) => command.name)).toEqual(['evalsha']);
    expect(sent[0]?.args[2]).toBe(KEY_PREFIX + request.key);
    expect(inScript).toContain('hset');
    expect(inScript.indexOf('pexpireat')).toBeGreaterThan(inScript.indexOf('hset'));
    const ttlMs = await client.pttl(KEY_PREFIX + request.key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(request.expiresAfterMs);
  });

  it('TTL stays at the expiry through every write', async () => {
    const first = acquireRequest(`expiry#${randomUUID()}`, 50, 60_000);
    const storageKey = KEY_PREFIX + first.key;
    const ttls: number[] = [];
    const now = (): number => Date.now();

    await layer.acquire(first);
    ttls.push(await client.pttl(storageKey));
    await layer.saveStep({ key: first.key, leaseToken: first.leaseToken, name: 'charge', result: 'c1', now: now() });
    ttls.push(await client.pttl(storageKey));
    await layer.extend({ key: first.key, leaseToken: first.leaseToken, leaseMs: 50, now: now() });
    ttls.push(await client.pttl(storageKey));
    await layer.release({ key: first.key, leaseToken: first.leaseToken, now: now() });
    ttls.push(await client.pttl(storageKey));
    const second = acquireRequest(first.key, 1_000, 30_000);
    const takeover = await layer.acquire(second);
    const takenOverTtlMs = await client.pttl(storageKey);
    const completeCommands = await monitor.record(() =>
      layer.complete({ key: first.key, leaseToken: second.leaseToken, response: 'done', now: now() }),
    );
    const completedTtlMs = await client.pttl(storageKey);

    for (const ttlMs of ttls) {
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(first.expiresAfterMs);
    }
    expect(takeover).toEqual({ acquired: true, steps: { charge: 'c1' } });
    expect(takenOverTtlMs).toBeGreaterThan(0);
    expect(takenOverTtlMs).toBeLessThanOrEqual(second.expiresAfterMs);
    expect(completeCommands.filter((command) => command.fromScript).map((command) => command.name)).toContain('pexpireat');
    expect(completedTtlMs).toBeGreaterThan(0);
    expect(completedTtlMs).toBeLessThanOrEqual(takenOverTtlMs);
  });

  it('acquire fails loudly when the expiry cannot be set', async () => {
    // This user may run scripts, but a script that it runs may not call PEXPIREAT.
    await client.acl('SETUSER', 'no-expiry', 'on', 'nopass', '~*', '&*', '+@all', '-pexpireat');
    const restricted = RedisPersistenceLayer.fromUrl(`redis://no-expiry:unused@127.0.0.1:${server.port}`, { keyPrefix: KEY_PREFIX, logger: false });
    const request = acquireRequest(`no-expiry#${randomUUID()}`);

    const error = await restricted.acquire(request).catch((thrown: unknown) => thrown);
    await restricted.close();

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as Error).message).toContain('PEXPIREAT failed');
    expect(await client.exists(KEY_PREFIX + request.key)).toBe(0);
  });
});

describe('round trips per step', () => {
  it('each step sends one command', async () => {
    const call = idempotent(async ({ id }) => {
      await step('charge', () => `charge ${id}`);
      await step('ledger', () => `ledger ${id}`);
      return 'paid';
    });

    const commands = await clientCommands(() => call({ id: 'a' }));

    // acquire, two steps, complete
    expect(commands).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha']);
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

    const commands = await clientCommands(() => call({ id: 'a' }));

    // acquire (with the charge step), the ledger step, complete
    expect(commands).toEqual(['evalsha', 'evalsha', 'evalsha']);
  });
});
