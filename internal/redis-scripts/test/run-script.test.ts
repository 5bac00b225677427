import { randomUUID } from 'node:crypto';

import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';
import { type RedisServer, startRedisServer } from '@idemkit/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isNoScriptError, recordScripts, runScript, type ScriptRunner, scriptSha1 } from '../src/index.js';
import { ioredisRunner, ScriptLayer } from './script-layer.js';

let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
});

afterAll(async () => {
  await client?.quit();
  await server?.stop();
});

/** Wraps a runner so that it records every reply and the command, EVALSHA or EVAL, that produced it. */
function recordingRunner(inner: ScriptRunner): ScriptRunner & { calls: { command: string; reply: unknown }[] } {
  const calls: { command: string; reply: unknown }[] = [];
  return {
    calls,
    async evalsha(sha1, keys, args) {
      const reply = await inner.evalsha(sha1, keys, args).catch((error: unknown) => {
        calls.push({ command: 'evalsha', reply: error });
        throw error;
      });
      calls.push({ command: 'evalsha', reply });
      return reply;
    },
    async eval(script, keys, args) {
      const reply = await inner.eval(script, keys, args);
      calls.push({ command: 'eval', reply });
      return reply;
    },
  };
}

describe('scriptSha1', () => {
  it('matches the digest the server computes', async () => {
    for (const script of Object.values(recordScripts)) {
      expect(await scriptSha1(script.lua), script.operation).toBe(await client.script('LOAD', script.lua));
    }
  });
});

describe('isNoScriptError', () => {
  it('recognises the NOSCRIPT reply of EVALSHA', async () => {
    const error = await client.evalsha('0'.repeat(40), 0).catch((thrown: unknown) => thrown);

    expect(isNoScriptError(error)).toBe(true);
  });

  it('rejects other errors and values', async () => {
    const key = `wrong-type-${randomUUID()}`;
    await client.set(key, 'x');
    const wrongType = await client.hgetall(key).catch((thrown: unknown) => thrown);
    const scriptError = await client.eval("error('NOSCRIPTS are fine')", 0).catch((thrown: unknown) => thrown);

    expect(isNoScriptError(wrongType)).toBe(false);
    expect(isNoScriptError(scriptError)).toBe(false);
    expect(isNoScriptError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(false);
    expect(isNoScriptError('NOSCRIPT')).toBe(false);
    expect(isNoScriptError(null)).toBe(false);
    expect(isNoScriptError(undefined)).toBe(false);
  });
});

describe('runScript', () => {
  it('falls back to EVAL once the server lost the script', async () => {
    const runner = recordingRunner(ioredisRunner(client));
    const key = `run-${randomUUID()}`;
    await client.script('FLUSH');

    const first = await runScript(runner, recordScripts.get, key, { key, now: 0 });
    const second = await runScript(runner, recordScripts.get, key, { key, now: 0 });

    expect(first).toBeUndefined();
    expect(second).toBeUndefined();
    expect(runner.calls.map((call) => call.command)).toEqual(['evalsha', 'eval', 'evalsha']);
  });

  it('passes on errors other than NOSCRIPT without EVAL', async () => {
    const runner = recordingRunner(ioredisRunner(client));
    const key = `wrong-type-${randomUUID()}`;
    await client.set(key, 'not a hash');
    await client.script('LOAD', recordScripts.get.lua);

    const error = await runScript(runner, recordScripts.get, key, { key, now: 0 }).catch((thrown: unknown) => thrown);

    expect((error as Error).message).toMatch(/^WRONGTYPE/);
    expect(runner.calls.map((call) => call.command)).toEqual(['evalsha']);
  });

  it('returns strings that no JSON parser accepts', async () => {
    const runner = recordingRunner(ioredisRunner(client));
    const key = `json-${randomUUID()}`;
    const texts = ['123', 'null', 'true', '"quoted"', '{"a":1}', '[1]', '', ' 7', '-0'];
    const acquire = { key, leaseToken: '42', leaseMs: 1000, expiresAfterMs: 10_000, payloadHash: '0', now: 0 };
    await runScript(runner, recordScripts.acquire, key, acquire);
    for (const [index, text] of texts.entries()) {
      await runScript(runner, recordScripts.saveStep, key, { key, leaseToken: '42', name: text || String(index), result: text, now: 0 });
    }
    await runScript(runner, recordScripts.acquire, key, acquire);
    await runScript(runner, recordScripts.complete, key, { key, leaseToken: '42', response: 'null', now: 0 });
    await runScript(runner, recordScripts.acquire, key, { ...acquire, leaseToken: '43' });
    const record = await runScript(runner, recordScripts.get, key, { key, now: 0 });

    const strings = runner.calls.flatMap((call) => (Array.isArray(call.reply) ? call.reply : [])).filter((item) => typeof item === 'string');
    expect(strings.length).toBeGreaterThan(2 * texts.length);
    for (const text of strings) expect(() => JSON.parse(text), text).toThrow(SyntaxError);
    expect(record?.response).toBe('null');
    expect(record?.leaseToken).toBe('42');
    expect(record?.steps['123']).toBe('123');
  });
});

// The shared API alone is enough for a complete persistence layer, as the Upstash adapter needs.
runPersistenceConformance({
  name: 'runScript over ioredis EVAL/EVALSHA',
  create: async () => {
    const shared = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    await shared.ping();
    return new ScriptLayer(shared, `idemkit-test:${randomUUID()}:`);
  },
});
