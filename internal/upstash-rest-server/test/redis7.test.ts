import { errors, Redis } from '@upstash/redis';
import type { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startUpstashRestServer, type UpstashRestServer } from '../src/index.ts';
import { connectDirect, deleteKeys, post, randomPrefix } from './support.ts';

describe('rejectRedis7Syntax', () => {
  const prefix = randomPrefix();
  let server: UpstashRestServer;
  let direct: IORedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startUpstashRestServer({ logger: false, rejectRedis7Syntax: true });
    direct = await connectDirect();
    redis = new Redis({ url: server.url, token: server.token, automaticDeserialization: false });
  });

  beforeEach(() => {
    server.rejectRedis7Syntax = true;
  });

  afterAll(async () => {
    await deleteKeys(direct, prefix);
    direct.disconnect();
    await server.close();
  });

  it('rejects SET with NX and GET', async () => {
    const key = `${prefix}nx-get`;

    const response = await post(server, '/', ['set', key, 'v', 'nx', 'get']);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(/^ERR SET with both NX and GET needs Redis 7\.0/) });
    expect(await direct.exists(key)).toBe(0);
  });

  it('rejects SET NX GET from the client', async () => {
    const call = redis.set(`${prefix}client-nx-get`, 'v', { nx: true, get: true, px: 5000 });

    await expect(call).rejects.toBeInstanceOf(errors.UpstashError);
    await expect(call).rejects.toThrow(/SET with both NX and GET/);
  });

  it('rejects commands added after 6.2', async () => {
    const cases: [unknown[], RegExp][] = [
      [['eval_ro', 'return 1', 0], /^ERR EVAL_RO needs Redis 7\.0/],
      [['EVALSHA_RO', '0'.repeat(40), 0], /^ERR EVALSHA_RO needs Redis 7\.0/],
      [['fcall', 'f', 0], /^ERR FCALL needs Redis 7\.0/],
      [['function', 'list'], /^ERR FUNCTION needs Redis 7\.0/],
      [['expiretime', `${prefix}k`], /^ERR EXPIRETIME needs Redis 7\.0/],
      [['hexpire', `${prefix}h`, 10, 'fields', 1, 'f'], /^ERR HEXPIRE needs Redis 7\.4/],
      [['expire', `${prefix}k`, 10, 'nx'], /^ERR EXPIRE with the NX, XX, GT or LT option needs Redis 7\.0/],
    ];

    for (const [command, error] of cases) {
      const response = await post(server, '/', command);
      expect(response.status, JSON.stringify(command)).toBe(400);
      expect(response.body).toEqual({ error: expect.stringMatching(error) });
    }
  });

  it('rejects EVAL_RO from the client', async () => {
    await expect(redis.evalRo('return 1', [], [])).rejects.toThrow(/EVAL_RO needs Redis 7\.0/);
  });

  it('allows what Redis 6.2 takes', async () => {
    const key = `${prefix}allowed`;
    const cases: [unknown[], unknown][] = [
      [['set', key, 'v', 'nx', 'px', 5000], 'OK'],
      [['set', key, 'w', 'get'], 'v'],
      [['set', key, 'x', 'xx', 'get', 'px', 5000], 'w'],
      // Option words as values: the value "nx" with GET alone, and the value "get" with NX alone.
      [['set', `${key}:nx`, 'nx', 'get'], null],
      [['set', `${key}:get`, 'get', 'nx'], 'OK'],
      [['eval', 'return 1', 0], 1],
      [['expire', key, 10], 1],
    ];

    for (const [command, result] of cases) {
      const response = await post(server, '/', command, { base64: false });
      expect(response, JSON.stringify(command)).toMatchObject({ status: 200, body: { result } });
    }
  });

  it('rejects one pipeline slot and runs the others', async () => {
    const key = `${prefix}pipeline`;

    const response = await post(server, '/pipeline', [['set', key, 'a'], ['eval_ro', 'return 1', 0], ['get', key]], { base64: false });

    expect(response.status).toBe(200);
    expect(response.body).toEqual([{ result: 'OK' }, { error: expect.stringMatching(/^ERR EVAL_RO/) }, { result: 'a' }]);
  });

  it('discards a transaction with a rejected command', async () => {
    const key = `${prefix}transaction`;

    const response = await post(server, '/multi-exec', [['set', key, 'a'], ['set', `${key}:2`, 'b', 'nx', 'get']]);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(/^ERR SET with both NX and GET/) });
    expect(await direct.exists(key)).toBe(0);
  });

  it('allows Redis 7 syntax when switched off', async () => {
    const key = `${prefix}off`;
    server.rejectRedis7Syntax = false;

    expect((await post(server, '/', ['set', key, 'v', 'nx', 'get'], { base64: false })).body).toEqual({ result: null });
    expect(await direct.get(key)).toBe('v');
    expect(await redis.set(key, 'w', { nx: true, get: true })).toBe('v');
    expect(await redis.evalRo('return ARGV[1]', [], ['ro'])).toBe('ro');
  });

  it('is off by default', async () => {
    const defaults = await startUpstashRestServer({ logger: false });
    try {
      expect(defaults.rejectRedis7Syntax).toBe(false);
      expect((await post(defaults, '/', ['eval_ro', 'return 7', 0])).body).toEqual({ result: 7 });
    } finally {
      await defaults.close();
    }
  });
});
