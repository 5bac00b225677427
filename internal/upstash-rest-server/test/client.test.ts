import { errors, Redis } from '@upstash/redis';
import type { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startUpstashRestServer, type UpstashRestServer } from '../src/index.ts';
import { connectDirect, deleteKeys, randomPrefix } from './support.ts';

// The unmodified client with its defaults: base64 responses, auto-pipelining, read-your-writes.
describe('@upstash/redis client', () => {
  const prefix = randomPrefix();
  let server: UpstashRestServer;
  let direct: IORedis;
  let redis: Redis;
  let rawRedis: Redis;

  beforeAll(async () => {
    server = await startUpstashRestServer({ logger: false });
    direct = await connectDirect();
    redis = new Redis({ url: server.url, token: server.token });
    rawRedis = new Redis({ url: server.url, token: server.token, automaticDeserialization: false });
  });

  afterAll(async () => {
    await deleteKeys(direct, prefix);
    direct.disconnect();
    await server.close();
  });

  it('set with nx and px', async () => {
    const key = `${prefix}nx`;

    expect(await redis.set(key, 'first', { nx: true, px: 5000 })).toBe('OK');
    expect(await redis.set(key, 'second', { nx: true, px: 5000 })).toBeNull();
    expect(await redis.get(key)).toBe('first');

    const ttlMs = await direct.pttl(key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(5000);
  });

  it('incr and del', async () => {
    const key = `${prefix}counter`;

    expect(await redis.incr(key)).toBe(1);
    expect(await redis.incr(key)).toBe(2);
    expect(await redis.del(key)).toBe(1);
    expect(await redis.get(key)).toBeNull();
  });

  it('eval and evalsha', async () => {
    const key = `${prefix}eval`;
    const script = "return KEYS[1] .. ':' .. ARGV[1]";

    expect(await rawRedis.eval(script, [key], ['arg'])).toBe(`${key}:arg`);

    const sha = await redis.scriptLoad(script);
    expect(await rawRedis.evalsha(sha, [key], ['again'])).toBe(`${key}:again`);
  });

  it('evalsha of an unknown script fails with NOSCRIPT', async () => {
    const call = redis.evalsha('0'.repeat(40), [], []);

    await expect(call).rejects.toBeInstanceOf(errors.UpstashError);
    await expect(call).rejects.toThrow(/NOSCRIPT/);
  });

  it('createScript exec falls back from NOSCRIPT to EVAL', async () => {
    // A script no one has loaded yet, so the first EVALSHA fails with NOSCRIPT.
    const script = redis.createScript<string>(`-- ${prefix}\nreturn ARGV[1]`);
    server.stats.reset();

    expect(await script.exec([], ['first'])).toBe('first');
    expect(server.stats.commands.total).toBe(2);

    server.stats.reset();
    expect(await script.exec([], ['second'])).toBe('second');
    expect(server.stats.commands.total).toBe(1);
  });

  it('pipeline runs commands in order', async () => {
    const key = `${prefix}pipeline`;
    server.stats.reset();

    const results = await redis.pipeline().set(key, 'a').get(key).incr(`${key}:n`).exec();

    expect(results).toEqual(['OK', 'a', 1]);
    expect(server.stats.requests).toMatchObject({ total: 1, pipeline: 1 });
  });

  it('pipeline error names the failed command', async () => {
    const key = `${prefix}pipeline-error`;

    const failing = redis.pipeline().set(key, 'text').incr(key).exec();
    await expect(failing).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);

    const withErrors = await redis.pipeline().set(key, 'text').incr(key).exec({ keepErrors: true });
    expect(withErrors[0]).toMatchObject({ result: 'OK' });
    expect(withErrors[1]?.error).toMatch(/^ERR value is not an integer/);
  });

  it('transaction runs on multi-exec', async () => {
    const key = `${prefix}multi`;
    server.stats.reset();

    const results = await redis.multi().set(key, '10').incr(key).get(key).exec();

    expect(results).toEqual(['OK', 11, 11]);
    expect(server.stats.requests).toMatchObject({ total: 1, multiExec: 1 });
    expect(server.stats.commands.multiExec).toBe(3);
  });

  it('transaction keeps a runtime error in its slot', async () => {
    const key = `${prefix}multi-error`;

    const results = await rawRedis.multi().set(key, 'text').incr(key).set(`${key}:after`, 'ran').exec({ keepErrors: true });

    expect(results[0]).toMatchObject({ result: 'OK' });
    expect(results[1]?.error).toMatch(/^ERR value is not an integer/);
    expect(results[2]).toMatchObject({ result: 'OK' });
    expect(await direct.get(`${key}:after`)).toBe('ran');
  });

  it('concurrent commands share auto-pipelined requests', async () => {
    await direct.mset(`${prefix}auto:a`, 'A', `${prefix}auto:b`, 'B');
    server.stats.reset();

    const results = await Promise.all([
      rawRedis.get(`${prefix}auto:a`),
      rawRedis.get(`${prefix}auto:b`),
      rawRedis.set(`${prefix}auto:c`, 'C'),
      rawRedis.incr(`${prefix}auto:d`),
      rawRedis.del(`${prefix}auto:e`),
    ]);

    expect(results).toEqual(['A', 'B', 'OK', 1, 0]);
    // Since @upstash/redis 1.38, reads and writes go in separate pipelines.
    expect(server.stats.requests).toMatchObject({ total: 2, pipeline: 2 });
    expect(server.stats.commands.total).toBe(5);
  });

  it('values round-trip as sent without deserialization', async () => {
    const values = ['héllo wörld 🌍 中文', '', '{"a":1}', '123', 'null', 'true', '[1,2]', 'OK', ' spaced ', 'line\nbreak', '"quoted"'];

    for (const [index, value] of values.entries()) {
      const key = `${prefix}value:${index}`;
      expect(await rawRedis.set(key, value)).toBe('OK');
      expect(await rawRedis.get(key)).toBe(value);
      expect(await direct.get(key)).toBe(value);
    }
  });

  it('default deserialization parses JSON-looking values', async () => {
    const key = `${prefix}json`;

    await redis.set(key, '{"a":1}');
    expect(await redis.get(key)).toEqual({ a: 1 });

    await redis.set(key, { nested: ['x', 2] });
    expect(await direct.get(key)).toBe('{"nested":["x",2]}');
    expect(await redis.get(key)).toEqual({ nested: ['x', 2] });

    await redis.set(key, 'héllo 🌍');
    expect(await redis.get(key)).toBe('héllo 🌍');
  });

  it('lua returns integers, strings, nil and nested tables', async () => {
    expect(await rawRedis.eval('return 42', [], [])).toBe(42);
    expect(await rawRedis.eval("return 'text'", [], [])).toBe('text');
    expect(await rawRedis.eval('return nil', [], [])).toBeNull();
    expect(await rawRedis.eval('return false', [], [])).toBeNull();
    expect(await rawRedis.eval("return redis.status_reply('PONG')", [], [])).toBe('PONG');
    expect(await rawRedis.eval("return {1, 'two', {3, 'four', {5}}, ''}", [], [])).toEqual([1, 'two', [3, 'four', [5]], '']);
  });

  it('plain JSON responses without base64', async () => {
    const plain = new Redis({ url: server.url, token: server.token, responseEncoding: false, automaticDeserialization: false });
    const key = `${prefix}plain`;

    expect(await plain.set(key, 'héllo 🌍')).toBe('OK');
    expect(await plain.get(key)).toBe('héllo 🌍');
    expect(await plain.eval("return {1, 'two'}", [], [])).toEqual([1, 'two']);
  });
});
