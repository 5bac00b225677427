import { makeIdempotent } from '@idemkit/idempotency-core';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { UpstashPersistenceLayer } from '../src/index.js';
import { acquireRequest, inspector, layerFor, loadScripts, type PrivateServers, randomKeyPrefix, sleep, startPrivateServers } from './support.js';

const keyPrefix = randomKeyPrefix();
// A redis-server of this file's own, so that no other test flushes the scripts between the
// warm-up and a counted call.
let servers: PrivateServers;
let server: UpstashRestServer;
let direct: Redis;
let layer: UpstashPersistenceLayer;

beforeAll(async () => {
  servers = await startPrivateServers();
  server = servers.server;
  direct = inspector(server);
  layer = layerFor(server, { keyPrefix });
  await loadScripts(layer);
});

afterAll(() => servers?.stop());

/** Reads the key's TTL in ms as Redis reports it: -1 without a TTL, -2 when the key is absent. */
function ttlMs(key: string): Promise<number> {
  return direct.pttl(keyPrefix + key);
}

describe('record TTL', () => {
  it('acquire sets the TTL in the same command', async () => {
    const request = acquireRequest('ttl', { leaseMs: 1_000, expiresAfterMs: 60_000 });
    server.stats.reset();

    await layer.acquire(request);
    const commands = server.stats.commands.total;
    const ttl = await ttlMs(request.key);
    const record = await layer.get({ key: request.key, now: Date.now() });

    // One EVALSHA: the script writes the hash and sets PEXPIREAT before it returns.
    expect(commands).toBe(1);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(request.expiresAfterMs);
    expect(ttl).toBeGreaterThan(request.leaseMs);
    expect(ttl).toBeLessThanOrEqual((record?.expiresAt ?? 0) - Date.now() + 50);
  });

  it('TTL stays set through every write', async () => {
    const first = acquireRequest('ttl', { leaseMs: 50, expiresAfterMs: 60_000 });
    const { key } = first;
    const ttls: number[] = [];

    await layer.acquire(first);
    ttls.push(await ttlMs(key));
    await layer.saveStep({ key, leaseToken: first.leaseToken, name: 'charge', result: 'c1', now: Date.now() });
    ttls.push(await ttlMs(key));
    await layer.extend({ key, leaseToken: first.leaseToken, leaseMs: 50, now: Date.now() });
    ttls.push(await ttlMs(key));
    await layer.release({ key, leaseToken: first.leaseToken, now: Date.now() });
    ttls.push(await ttlMs(key));
    const second = acquireRequest('ttl', { key, leaseMs: 1_000, expiresAfterMs: 30_000 });
    await layer.acquire(second);
    const takenOver = await ttlMs(key);
    await layer.complete({ key, leaseToken: second.leaseToken, response: 'done', now: Date.now() });
    const completed = await ttlMs(key);
    const record = await layer.get({ key, now: Date.now() });

    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(first.expiresAfterMs);
    }
    expect(takenOver).toBeGreaterThan(0);
    expect(takenOver).toBeLessThanOrEqual(second.expiresAfterMs);
    expect(record?.status).toBe('COMPLETED');
    expect(completed).toBeGreaterThan(0);
    expect(completed).toBeLessThanOrEqual(takenOver);
  });

  it('completed call keeps a TTL, never -1', async () => {
    let key = '';
    const call = makeIdempotent(async (_input: { id: string }) => 'ok', {
      persistence: layer,
      namespace: 'ttl',
      expiresAfterSeconds: 2,
      logger: false,
      onOutcome: (outcome) => (key = outcome.key ?? key),
    });

    await call({ id: 'a' });
    const completed = await ttlMs(key);

    expect(completed).toBeGreaterThan(0);
    expect(completed).toBeLessThanOrEqual(2_000);
  });

  it('record and key vanish at the expiry', async () => {
    const request = acquireRequest('ttl', { leaseMs: 100, expiresAfterMs: 200 });
    await layer.acquire(request);
    await layer.complete({ key: request.key, leaseToken: request.leaseToken, response: 'short', now: Date.now() });

    await sleep(250);

    expect(await layer.get({ key: request.key, now: Date.now() })).toBeUndefined();
    expect(await ttlMs(request.key)).toBe(-2);
  });
});
