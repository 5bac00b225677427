import { randomUUID } from 'node:crypto';

import type { AcquireRequest, PersistenceLayer } from '@idemkit/idempotency-core';
import { type RedisServer, startRedisServer } from '@idemkit/test-support';
import { startUpstashRestServer, type UpstashRestServer } from '@idemkit/upstash-rest-server';
import { Redis } from '@upstash/redis';

import { UpstashPersistenceLayer, type UpstashClientOptions, type UpstashEnvOptions } from '../src/index.js';

/** The Redis behind the test servers: `REDIS_URL`, else the local default. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Returns a key prefix of its own for one test file, so files never see each other's records. */
export function randomKeyPrefix(): string {
  return `idemkit-test:upstash-rest:${randomUUID()}:`;
}

/**
 * Starts the loopback REST server on `redisUrl` with Redis 7 syntax rejected, as Upstash
 * documents Redis 6.2. Rejects with the fix when Redis does not reply, so tests fail, not skip.
 */
export async function startServer(redisUrl: string = REDIS_URL): Promise<UpstashRestServer> {
  try {
    return await startUpstashRestServer({ redisUrl, rejectRedis7Syntax: true, logger: false });
  } catch (error) {
    throw new Error(`The Upstash REST test server could not reach Redis at ${redisUrl}; start redis-server on 127.0.0.1:6379 or set REDIS_URL.`, {
      cause: error,
    });
  }
}

/** A redis-server and a REST server on it, both of one test file's own. */
export interface PrivateServers {
  readonly redis: RedisServer;
  readonly server: UpstashRestServer;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server and the REST server on it, for tests that count requests or
 * commands: no other test sends to them, and none can flush their scripts.
 */
export async function startPrivateServers(): Promise<PrivateServers> {
  const redis = await startRedisServer();
  const server = await startServer(redis.url).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  const stop = async (): Promise<void> => {
    await server.close();
    await redis.stop();
  };
  return { redis, server, stop };
}

/** Runs every record script once, so that later calls find them loaded and send EVALSHA alone. */
export async function loadScripts(layer: PersistenceLayer): Promise<void> {
  const request = acquireRequest('warm-up');
  const { key, leaseToken } = request;
  await layer.acquire(request);
  await layer.saveStep({ key, leaseToken, name: 'step', result: 'r', now: Date.now() });
  await layer.extend({ key, leaseToken, leaseMs: 1000, now: Date.now() });
  await layer.complete({ key, leaseToken, response: 'r', now: Date.now() });
  await layer.release({ key, leaseToken, now: Date.now() });
  await layer.get({ key, now: Date.now() });
}

/** Returns the variables that `fromEnv` reads, for `server`. */
export function serverEnv(server: UpstashRestServer): Record<string, string> {
  return { UPSTASH_REDIS_REST_URL: server.url, UPSTASH_REDIS_REST_TOKEN: server.token };
}

/** Creates a layer on `server` the way users do, through `fromEnv`. */
export function layerFor(server: UpstashRestServer, options: Omit<UpstashEnvOptions, 'env'> = {}): UpstashPersistenceLayer {
  return UpstashPersistenceLayer.fromEnv({ ...options, env: serverEnv(server) });
}

/**
 * Creates a plain client on `server` for checks (PTTL, HGETALL): no deserialization, no
 * auto-pipelining and a single attempt, so that what it reads is what Redis stores.
 */
export function inspector(server: UpstashRestServer, options: UpstashClientOptions = {}): Redis {
  return new Redis({
    url: server.url,
    token: server.token,
    automaticDeserialization: false,
    enableAutoPipelining: false,
    enableTelemetry: false,
    retry: { retries: 0 },
    ...options,
  });
}

/** Deletes every key that starts with `prefix`. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, { match: `${prefix}*`, count: 1000 });
    if (keys.length > 0) await redis.del(...keys);
    cursor = String(next);
  } while (cursor !== '0');
}

/** Returns an acquire request for a fresh key, with a fresh token. */
export function acquireRequest(label: string, overrides: Partial<AcquireRequest> = {}): AcquireRequest {
  return { key: `${label}#${randomUUID()}`, leaseToken: randomUUID(), leaseMs: 30_000, expiresAfterMs: 60_000, now: Date.now(), ...overrides };
}

/** Returns the error a promise rejects with, or undefined when it fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, to hold a handler until the test lets it finish. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
