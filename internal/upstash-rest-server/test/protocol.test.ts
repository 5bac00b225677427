import { request as httpRequest } from 'node:http';

import type { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startUpstashRestServer, type UpstashRestServer } from '../src/index.ts';
import { base64, connectDirect, deleteKeys, post, randomPrefix } from './support.ts';

// Sends a request with node:http, which keeps header names as written and can stream a body.
function rawRequest(
  server: UpstashRestServer,
  options: { method?: string; path?: string; headers: Record<string, string>; chunks: string[] },
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${server.url}${options.path ?? '/'}`, { method: options.method ?? 'POST', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    outgoing.on('error', reject);
    for (const chunk of options.chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

describe('protocol', () => {
  const prefix = randomPrefix();
  let server: UpstashRestServer;
  let direct: IORedis;

  beforeAll(async () => {
    server = await startUpstashRestServer({ logger: false, maxBodyBytes: 4096 });
    direct = await connectDirect();
  });

  afterAll(async () => {
    await deleteKeys(direct, prefix);
    direct.disconnect();
    await server.close();
  });

  describe('authorization', () => {
    it('rejects a missing header with 401', async () => {
      const response = await fetch(server.url, { method: 'POST', body: '["ping"]' });

      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    });

    it('rejects a wrong token with 401', async () => {
      const response = await post(server, '/', ['ping'], { headers: { authorization: 'Bearer wrong' } });

      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: expect.stringMatching(/Bearer/) });
    });

    it('rejects another scheme with 401', async () => {
      const response = await post(server, '/', ['ping'], { headers: { authorization: `Basic ${server.token}` } });

      expect(response.status).toBe(401);
    });

    it('accepts a lowercase header name', async () => {
      const response = await rawRequest(server, { headers: { authorization: `Bearer ${server.token}` }, chunks: ['["echo","low"]'] });

      expect(response).toEqual({ status: 200, body: { result: 'low' } });
    });

    it('accepts a capitalised header name', async () => {
      const response = await rawRequest(server, { headers: { Authorization: `Bearer ${server.token}` }, chunks: ['["echo","Cap"]'] });

      expect(response).toEqual({ status: 200, body: { result: 'Cap' } });
    });
  });

  describe('routing', () => {
    it('returns 404 on other paths', async () => {
      const response = await post(server, '/set/foo/bar', ['ping']);

      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: expect.any(String) });
    });

    it('returns 405 for other methods', async () => {
      const response = await fetch(server.url, { method: 'GET', headers: { authorization: `Bearer ${server.token}` } });

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toEqual({ error: expect.any(String) });
    });

    it('ignores a query string', async () => {
      const response = await post(server, '/pipeline?ignored=1', [['echo', 'x']], { base64: false });

      expect(response).toMatchObject({ status: 200, body: [{ result: 'x' }] });
    });
  });

  describe('results and errors', () => {
    it('always sends the result key, null included', async () => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}` },
        body: JSON.stringify(['get', `${prefix}missing`]),
      });

      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"result":null}');
    });

    it('returns Redis errors as 400', async () => {
      await direct.rpush(`${prefix}list`, 'item');
      const cases: [unknown[], RegExp][] = [
        [['get', `${prefix}list`], /^WRONGTYPE Operation against a key holding the wrong kind of value$/],
        [['set', `${prefix}k`, 'v', 'bogus'], /^ERR syntax error$/],
        [['evalsha', '0'.repeat(40), 0], /^NOSCRIPT /],
        [['nosuchcommand', 'x'], /^ERR unknown command 'nosuchcommand'/],
        [['eval', "return redis.error_reply('MYERR custom')", 0], /^MYERR custom$/],
      ];

      for (const [command, error] of cases) {
        const response = await post(server, '/', command);
        expect(response.status, JSON.stringify(command)).toBe(400);
        expect(response.body).toEqual({ error: expect.stringMatching(error) });
      }
    });

    it('converts numbers and booleans to their text', async () => {
      const key = `${prefix}typed`;
      const cases: [unknown, string][] = [
        [5000, '5000'],
        [-1.5, '-1.5'],
        [true, 'true'],
        [false, 'false'],
      ];

      for (const [value, text] of cases) {
        expect((await post(server, '/', ['set', key, value])).status).toBe(200);
        expect(await direct.get(key)).toBe(text);
      }
      expect((await post(server, '/', ['set', key, 'v', 'px', 5000])).status).toBe(200);
      expect(await direct.pttl(key)).toBeGreaterThan(0);
    });

    it('passes command names as sent', async () => {
      const response = await post(server, '/', ['ECHO', 'upper'], { base64: false });

      expect(response).toMatchObject({ status: 200, body: { result: 'upper' } });
    });

    it('keeps integers past 2^53 exact', async () => {
      const key = `${prefix}big`;
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}` },
        body: JSON.stringify(['incrby', key, '9007199254740993']),
      });

      expect(await response.text()).toBe('{"result":9007199254740993}');
    });
  });

  describe('invalid bodies', () => {
    const cases: [string, string, string][] = [
      ['not JSON', '/', '["get",'],
      ['an object', '/', '{"command":"get"}'],
      ['an empty command', '/', '[]'],
      ['a nested argument', '/', '["set","k",{"a":1}]'],
      ['a null argument', '/', '["get",null]'],
      ['an empty pipeline', '/pipeline', '[]'],
      ['a pipeline of strings', '/pipeline', '["get","k"]'],
      ['an empty transaction command', '/multi-exec', '[["ping"],[]]'],
    ];

    for (const [name, path, body] of cases) {
      it(`rejects ${name} with 400`, async () => {
        const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body });

        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: expect.stringMatching(/^ERR invalid request body/) });
      });
    }

    it('rejects a body over the limit with 413', async () => {
      const response = await post(server, '/', ['set', `${prefix}large`, 'x'.repeat(5000)]);

      expect(response.status).toBe(413);
      expect(response.body).toEqual({ error: expect.stringMatching(/4096 bytes/) });
      expect(await direct.exists(`${prefix}large`)).toBe(0);
    });

    it('rejects a streamed body over the limit with 413', async () => {
      const chunks = ['["set","', `${prefix}streamed`, '","', 'x'.repeat(3000), 'y'.repeat(3000), '"]'];

      const response = await rawRequest(server, { headers: { authorization: `Bearer ${server.token}` }, chunks });

      expect(response.status).toBe(413);
      expect(await direct.exists(`${prefix}streamed`)).toBe(0);
    });

    it('rejects connection state commands', async () => {
      for (const command of [['subscribe', 'channel'], ['multi'], ['select', 1], ['watch', 'k'], ['client', 'reply', 'off']]) {
        const response = await post(server, '/', command);
        expect(response.status, JSON.stringify(command)).toBe(400);
        expect(response.body).toEqual({ error: expect.stringMatching(/not supported by this test server/) });
      }
    });
  });

  describe('base64 encoding', () => {
    it('encodes strings but not OK', async () => {
      const key = `${prefix}b64`;

      expect((await post(server, '/', ['set', key, 'héllo 🌍'])).body).toEqual({ result: 'OK' });
      expect((await post(server, '/', ['get', key])).body).toEqual({ result: base64('héllo 🌍') });
      expect((await post(server, '/', ['ping'])).body).toEqual({ result: base64('PONG') });
      expect((await post(server, '/', ['echo', ''])).body).toEqual({ result: '' });
    });

    it('returns plain strings without the header', async () => {
      const key = `${prefix}plain`;
      await direct.set(key, 'héllo 🌍');

      expect((await post(server, '/', ['get', key], { base64: false })).body).toEqual({ result: 'héllo 🌍' });
      expect((await post(server, '/', ['ping'], { base64: false })).body).toEqual({ result: 'PONG' });
    });

    it('encodes nested arrays and leaves integers and null', async () => {
      const response = await post(server, '/', ['eval', "return {1, 'a', {2, 'b', {'c'}}, false}", 0]);

      expect(response.body).toEqual({ result: [1, base64('a'), [2, base64('b'), [base64('c')]], null] });
    });

    it('keeps HGETALL a flat array', async () => {
      const key = `${prefix}hash`;
      await direct.hset(key, 'field', 'value');

      expect((await post(server, '/', ['hgetall', key])).body).toEqual({ result: [base64('field'), base64('value')] });
    });

    it('never encodes errors', async () => {
      const response = await post(server, '/pipeline', [['echo', 'x'], ['incr', `${prefix}nope`, 'extra']]);

      expect(response.body).toEqual([{ result: base64('x') }, { error: "ERR wrong number of arguments for 'incr' command" }]);
    });

    it('round-trips binary bytes exactly', async () => {
      const key = `${prefix}binary`;
      const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a, 0x41]);
      await direct.set(key, bytes);

      const response = await post(server, '/', ['get', key]);
      const { result } = response.body as { result: string };
      expect(Buffer.from(result, 'base64').equals(bytes)).toBe(true);

      const plain = await post(server, '/', ['get', key], { base64: false });
      expect(plain.body).toEqual({ result: bytes.toString('utf8') });
    });
  });

  describe('sync token', () => {
    it('is sent on every response', async () => {
      const responses = [
        await post(server, '/', ['ping']),
        await post(server, '/', ['nosuchcommand']),
        await post(server, '/', ['ping'], { headers: { authorization: 'Bearer wrong' } }),
        await post(server, '/unknown', ['ping']),
      ];

      const tokens = responses.map((response) => response.headers.get('upstash-sync-token'));
      for (const token of tokens) expect(token).toMatch(/^\d+$/);
      expect(new Set(tokens).size).toBe(tokens.length);
    });

    it('ignores the token the client sends', async () => {
      const response = await post(server, '/', ['ping'], { headers: { 'upstash-sync-token': 'anything' } });

      expect(response.status).toBe(200);
    });
  });

  describe('pipeline', () => {
    it('returns entries in command order', async () => {
      const key = `${prefix}pipe`;

      const response = await post(server, '/pipeline', [['set', key, 'text'], ['incr', key], ['get', key], ['get', `${prefix}none`]], { base64: false });

      expect(response.status).toBe(200);
      expect(response.body).toEqual([{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: 'text' }, { result: null }]);
    });
  });

  describe('multi-exec', () => {
    it('keeps a runtime error in its slot', async () => {
      const key = `${prefix}tx`;

      const response = await post(server, '/multi-exec', [['set', key, 'text'], ['incr', key], ['set', `${key}:after`, 'ran']], { base64: false });

      expect(response.status).toBe(200);
      expect(response.body).toEqual([{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: 'OK' }]);
      expect(await direct.get(`${key}:after`)).toBe('ran');
    });

    it('returns one error when discarded', async () => {
      const key = `${prefix}discarded`;

      const response = await post(server, '/multi-exec', [['set', key, 'v'], ['set', key]]);

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
      expect(await direct.exists(key)).toBe(0);
    });

    it('discards a transaction with an unknown command', async () => {
      const key = `${prefix}unknown`;

      const response = await post(server, '/multi-exec', [['set', key, 'v'], ['nosuchcommand']]);

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: expect.stringMatching(/^ERR unknown command 'nosuchcommand'/) });
      expect(await direct.exists(key)).toBe(0);
    });

    it('runs concurrent transactions atomically', async () => {
      const key = `${prefix}atomic`;
      const transaction = [['incr', key], ['get', key]];

      const responses = await Promise.all(Array.from({ length: 25 }, () => post(server, '/multi-exec', transaction, { base64: false })));

      for (const response of responses) {
        const [incremented, read] = response.body as [{ result: number }, { result: string }];
        expect(String(incremented.result)).toBe(read.result);
      }
      expect(await direct.get(key)).toBe('25');
    });
  });

  it('runs blocking commands on their own connection', async () => {
    const key = `${prefix}queue`;

    // If BLPOP held the shared connection, RPUSH would wait behind it and BLPOP would time out.
    const popped = post(server, '/', ['blpop', key, 5], { base64: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post(server, '/', ['rpush', key, 'job'])).body).toEqual({ result: 1 });

    expect((await popped).body).toEqual({ result: [key, 'job'] });
  });
});
