import { IdempotencyConfigError, IdempotencyPersistenceError } from '@idemkit/idempotency-core';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UpstashPersistenceLayer, type UpstashEnvOptions, type UpstashRedisLike } from '../src/index.js';
import { acquireRequest, deleteKeysWithPrefix, inspector, layerFor, randomKeyPrefix, serverEnv, startServer } from './support.js';

const URL_VARIABLE = 'UPSTASH_REDIS_REST_URL';
const TOKEN_VARIABLE = 'UPSTASH_REDIS_REST_TOKEN';
const VALID_ENV = { [URL_VARIABLE]: 'https://eu1-example-12345.upstash.io', [TOKEN_VARIABLE]: 'secret-token' };

let server: UpstashRestServer;
let direct: Redis;
const keyPrefix = randomKeyPrefix();

beforeAll(async () => {
  server = await startServer();
  direct = inspector(server);
});

afterAll(async () => {
  await deleteKeysWithPrefix(direct, keyPrefix);
  await deleteKeysWithPrefix(direct, 'idemkit:options-test#');
  await server?.close();
});

/** The error that `create` throws; fails the test when it returns. */
function configError(create: () => unknown): IdempotencyConfigError {
  let thrown: unknown;
  try {
    create();
  } catch (error) {
    thrown = error;
  }
  expect(IdempotencyConfigError.is(thrown)).toBe(true);
  return thrown as IdempotencyConfigError;
}

/** Runs `action` with the variables set in process.env, restoring what was there after. */
function withProcessEnv<T>(variables: Record<string, string | undefined>, action: () => T): T {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  try {
    return action();
  } finally {
    apply(saved);
  }
}

describe('fromEnv', () => {
  it('reads process.env when no env is given', async () => {
    const layer = withProcessEnv(serverEnv(server), () => UpstashPersistenceLayer.fromEnv({ keyPrefix }));
    const request = acquireRequest('process-env');

    expect(await layer.acquire(request)).toEqual({ acquired: true, steps: {} });
  });

  it('missing URL names the variable and the fix', () => {
    const error = withProcessEnv({ [URL_VARIABLE]: undefined, [TOKEN_VARIABLE]: 'secret-token' }, () => configError(() => UpstashPersistenceLayer.fromEnv()));

    expect(error.message).toBe(
      'UpstashPersistenceLayer.fromEnv: UPSTASH_REDIS_REST_URL is missing from process.env; copy the REST URL and token from the REST API section of the database in the Upstash console into this variable (a Cloudflare Worker: wrangler secret put UPSTASH_REDIS_REST_URL).',
    );
  });

  it('missing token in a Worker env names the variable', () => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: { [URL_VARIABLE]: VALID_ENV[URL_VARIABLE], [TOKEN_VARIABLE]: '' } }));

    expect(error.message).toContain('UPSTASH_REDIS_REST_TOKEN is missing from the env option');
    expect(error.message).toContain('wrangler secret put UPSTASH_REDIS_REST_TOKEN');
  });

  it('both missing are named together', () => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: { OTHER: 'x' } }));

    expect(error.message).toContain('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are missing from the env option');
  });

  it('Worker bindings that are not strings are ignored', () => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: { [URL_VARIABLE]: { binding: true }, [TOKEN_VARIABLE]: 'secret-token' } }));

    expect(error.message).toContain('UPSTASH_REDIS_REST_URL is missing');
  });

  it.each([
    ['a Redis URL', 'rediss://default:secret@eu1-example.upstash.io:6379', 'must be an https:// URL (http:// for a local emulator), got one with the protocol rediss:'],
    ['no URL', 'eu1-example.upstash.io', 'is not a valid URL (a string of 22 characters)'],
    ['a line break', 'https://eu1-example.upstash.io\n', 'contains whitespace or a line break'],
  ])('URL with %s is rejected', (_label, url, expected) => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: { ...VALID_ENV, [URL_VARIABLE]: url } }));

    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('secret');
  });

  it('token with a line break is rejected without its value', () => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: { ...VALID_ENV, [TOKEN_VARIABLE]: 'secret-token\n' } }));

    expect(error.message).toBe('UpstashPersistenceLayer.fromEnv: UPSTASH_REDIS_REST_TOKEN in the env option contains whitespace or a line break; remove it.');
  });

  it.each([
    [{ keyPrefx: 'x' }, 'UpstashPersistenceLayer.fromEnv: unknown option keyPrefx; valid options are: keyPrefix, env, redis.'],
    [{ env: 'UPSTASH_REDIS_REST_URL=x' }, "UpstashPersistenceLayer.fromEnv: env must be an object of environment variables (a Cloudflare Worker's env), got \"UPSTASH_REDIS_REST_URL=x\"."],
    [{ redis: [] }, 'UpstashPersistenceLayer.fromEnv: redis must be an object of @upstash/redis client options, got an array.'],
    [{ keyPrefix: 42 }, "UpstashPersistenceLayer: keyPrefix must be a string such as 'idemkit:', got 42."],
  ])('invalid options %o are rejected', (options, message) => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: VALID_ENV, ...(options as UpstashEnvOptions) }));

    expect(error.message).toBe(message);
  });

  it.each(['url', 'token', 'automaticDeserialization'])('redis.%s is rejected', (name) => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv({ env: VALID_ENV, redis: { [name]: true } } as UpstashEnvOptions));

    expect(error.message).toContain(`redis.${name} cannot be set, because fromEnv sets it`);
  });

  it('options that are not an object are rejected', () => {
    const error = configError(() => UpstashPersistenceLayer.fromEnv('https://eu1-example.upstash.io' as UpstashEnvOptions));

    expect(error.message).toBe('UpstashPersistenceLayer.fromEnv: options must be an object, got "https://eu1-example.upstash.io".');
  });
});

describe('constructor', () => {
  it.each([
    ['a URL', 'https://eu1-example.upstash.io', 'got "https://eu1-example.upstash.io". To read UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, use UpstashPersistenceLayer.fromEnv().'],
    ['nothing', undefined, 'got undefined. To read'],
    ['an ioredis-like client', { defineCommand: () => {}, del: async () => 0 }, 'with evalsha, eval and del), got an object.'],
  ])('rejects %s as the client', (_label, client, expected) => {
    const error = configError(() => new UpstashPersistenceLayer(client as unknown as UpstashRedisLike));

    expect(error.message).toContain('UpstashPersistenceLayer: client must be an @upstash/redis Redis instance');
    expect(error.message).toContain(expected);
  });

  it('rejects unknown options', () => {
    const client = inspector(server);

    const error = configError(() => new UpstashPersistenceLayer(client, { keyPrefix: 'a:', env: {} } as never));

    expect(error.message).toBe('UpstashPersistenceLayer: unknown option env; valid options are: keyPrefix.');
  });
});

describe('key prefix', () => {
  it('records live under the default prefix', async () => {
    const layer = layerFor(server);
    const request = acquireRequest('options-test');

    await layer.acquire(request);

    expect(await direct.exists(`idemkit:${request.key}`)).toBe(1);
    expect((await layer.get({ key: request.key, now: Date.now() }))?.key).toBe(request.key);
  });

  it('records live under a configured prefix', async () => {
    const layer = layerFor(server, { keyPrefix });
    const request = acquireRequest('options-test');

    await layer.acquire(request);
    await layer.delete({ key: request.key });
    const afterDelete = await direct.exists(keyPrefix + request.key);
    await layer.acquire({ ...request, leaseToken: crypto.randomUUID() });

    expect(afterDelete).toBe(0);
    expect(await direct.exists(keyPrefix + request.key)).toBe(1);
    expect(await direct.exists(`idemkit:${request.key}`)).toBe(0);
  });

  it('foreign data under the prefix fails with a hint', async () => {
    const layer = layerFor(server, { keyPrefix });
    const request = acquireRequest('foreign');
    await direct.set(keyPrefix + request.key, 'not a hash');

    const error = await layer.acquire(request).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect((error as IdempotencyPersistenceError).message).toContain('WRONGTYPE');
    expect((error as IdempotencyPersistenceError).message).toContain('choose a keyPrefix that nothing else uses');
  });
});

describe('close', () => {
  it('does nothing and the layer keeps working', async () => {
    const layer = layerFor(server, { keyPrefix });

    await layer.close();
    await layer.close();
    const result = await layer.acquire(acquireRequest('after-close'));

    expect(result).toEqual({ acquired: true, steps: {} });
  });
});
