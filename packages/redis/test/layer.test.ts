import { randomUUID } from 'node:crypto';

import { IdempotencyConfigError, IdempotencyPersistenceError } from '@idemkit/idempotency-core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

import { RedisPersistenceLayer, type RedisClientLike, type RedisUrlOptions } from '../src/index.js';
import { REDIS_URL, useSharedRedis } from './support.js';

const shared = useSharedRedis();
const { keyPrefix } = shared;

function acquireRequest(key = `layer#${randomUUID()}`): Parameters<RedisPersistenceLayer['acquire']>[0] {
  return { key, leaseToken: randomUUID(), leaseMs: 10_000, expiresAfterMs: 60_000, payloadHash: 'hash-1', now: Date.now() };
}

function configError(create: () => unknown): IdempotencyConfigError {
  try {
    create();
  } catch (error) {
    expect(IdempotencyConfigError.is(error)).toBe(true);
    return error as IdempotencyConfigError;
  }
  throw new Error('expected an IdempotencyConfigError');
}

describe('options', () => {
  it('rejects unknown option names', () => {
    const error = configError(() => new RedisPersistenceLayer(shared.client, { prefix: 'x:' } as never));

    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('Unknown option RedisPersistenceLayer.prefix');
    expect(error.message).toContain('keyPrefix');
  });

  it('rejects a keyPrefix that is not a string', () => {
    const error = configError(() => new RedisPersistenceLayer(shared.client, { keyPrefix: 7 as never }));

    expect(error.message).toContain('keyPrefix must be a string');
    expect(error.message).toContain('got 7');
  });

  it('rejects options that are not an object', () => {
    expect(configError(() => new RedisPersistenceLayer(shared.client, 'idem:' as never)).message).toContain('options must be an object');
    expect(configError(() => RedisPersistenceLayer.fromUrl(REDIS_URL, { redis: 'lazy' } as never)).message).toContain('redis must be an object');
    expect(configError(() => RedisPersistenceLayer.fromUrl(REDIS_URL, { logger: true } as never)).message).toContain('logger must be');
    expect(configError(() => RedisPersistenceLayer.fromUrl(REDIS_URL, { ttl: 5 } as RedisUrlOptions)).message).toContain('Unknown option RedisPersistenceLayer.ttl');
  });

  it('rejects a client that is not ioredis', () => {
    const fromString = configError(() => new RedisPersistenceLayer('redis://127.0.0.1:6379' as unknown as RedisClientLike));
    const fromObject = configError(() => new RedisPersistenceLayer({} as RedisClientLike));

    expect(fromString.message).toContain('fromUrl');
    expect(fromObject.message).toContain('client must be an ioredis Redis or Cluster instance');
  });

  it('rejects URLs of other protocols without echoing them', () => {
    const http = configError(() => RedisPersistenceLayer.fromUrl('https://user:secret-password@127.0.0.1:6379'));
    const malformed = configError(() => RedisPersistenceLayer.fromUrl('secret-password'));
    const number = configError(() => RedisPersistenceLayer.fromUrl(6379 as never));

    expect(http.message).toContain('redis:// or rediss://');
    expect(http.message).not.toContain('secret-password');
    expect(malformed.message).toContain('not a valid URL');
    expect(malformed.message).not.toContain('secret-password');
    expect(number.message).toContain('got 6379');
  });
});

describe('data layout', () => {
  it('stores a record as a hash under the prefix', async () => {
    const request = acquireRequest();
    await shared.layer.acquire(request);
    await shared.layer.saveStep({ key: request.key, leaseToken: request.leaseToken, name: 'charge', result: 'c1', now: Date.now() });
    await shared.layer.complete({ key: request.key, leaseToken: request.leaseToken, response: 'done', now: Date.now() });

    const hash = await shared.client.hgetall(keyPrefix + request.key);
    const record = await shared.layer.get({ key: request.key, now: Date.now() });
    const ttlMs = await shared.client.pttl(keyPrefix + request.key);

    expect(hash).toEqual({
      status: 'COMPLETED',
      expiresAt: String(record?.expiresAt),
      leaseExpiresAt: String(record?.leaseExpiresAt),
      leaseToken: request.leaseToken,
      payloadHash: 'hash-1',
      response: 'done',
      'step:charge': 'c1',
    });
    expect(record?.key).toBe(request.key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual((record?.expiresAt ?? 0) - Date.now() + 50);
  });

  it('uses idemkit: when no prefix is set', async () => {
    const bare = new RedisPersistenceLayer(shared.client);
    const request = acquireRequest(`${keyPrefix}default#${randomUUID()}`);

    await bare.acquire(request);

    expect(await shared.client.exists(`idemkit:${request.key}`)).toBe(1);
    await bare.delete({ key: request.key });
    expect(await shared.client.exists(`idemkit:${request.key}`)).toBe(0);
  });

  it('adds the client keyPrefix in front', async () => {
    const prefixed = new Redis(REDIS_URL, { keyPrefix: `${keyPrefix}client:` });
    const inner = new RedisPersistenceLayer(prefixed, { keyPrefix: 'layer:' });
    const request = acquireRequest();

    await inner.acquire(request);
    const record = await inner.get({ key: request.key, now: Date.now() });
    await prefixed.quit();

    expect(record?.leaseToken).toBe(request.leaseToken);
    expect(await shared.client.exists(`${keyPrefix}client:layer:${request.key}`)).toBe(1);
  });

  it('reports a key of another type as a persistence error', async () => {
    const key = `foreign#${randomUUID()}`;
    await shared.client.set(keyPrefix + key, 'not an idemkit record');

    const error = await shared.layer.get({ key, now: Date.now() }).catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as Error).message).toContain('WRONGTYPE');
    expect((error as Error).message).toContain('keyPrefix');
  });

  it('treats a hash without status as absent', async () => {
    const key = `partial#${randomUUID()}`;
    await shared.client.hset(keyPrefix + key, 'leaseToken', 'stray');

    const before = await shared.layer.get({ key, now: Date.now() });
    const acquired = await shared.layer.acquire(acquireRequest(key));

    expect(before).toBeUndefined();
    expect(acquired).toEqual({ acquired: true, steps: {} });
  });
});

describe('close', () => {
  it('leaves a given client open', async () => {
    const callerClient = new Redis(REDIS_URL);
    const borrowed = new RedisPersistenceLayer(callerClient, { keyPrefix });

    await borrowed.close();

    expect(await callerClient.ping()).toBe('PONG');
    await callerClient.quit();
  });

  it('quits the client fromUrl created', async () => {
    const owned = RedisPersistenceLayer.fromUrl(REDIS_URL, { keyPrefix });
    await owned.get({ key: 'k', now: Date.now() });

    await owned.close();
    await owned.close();

    const error = await owned.get({ key: 'k', now: Date.now() }).catch((thrown: unknown) => thrown);
    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(((error as Error).cause as Error).message).toContain('Connection is closed');
  });
});
