import { makeIdempotent } from '@idemkit/idempotency-core';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UpstashPersistenceLayer } from '../src/index.js';
import { acquireRequest, deleteKeysWithPrefix, inspector, layerFor, randomKeyPrefix, startServer } from './support.js';

const keyPrefix = randomKeyPrefix();
let server: UpstashRestServer;
let direct: Redis;
let layers: Record<string, UpstashPersistenceLayer>;

beforeAll(async () => {
  server = await startServer();
  direct = inspector(server);
  layers = {
    fromEnv: layerFor(server, { keyPrefix }),
    // A client as users often create it: automatic deserialization and auto-pipelining on.
    defaultClient: new UpstashPersistenceLayer(new Redis({ url: server.url, token: server.token, enableTelemetry: false }), { keyPrefix }),
  };
});

afterAll(async () => {
  await deleteKeysWithPrefix(direct, keyPrefix);
  await server?.close();
});

/** Reads the record's hash as Redis stores it, field by field. */
async function storedFields(key: string): Promise<Map<string, string>> {
  const flat = (await direct.hgetall(keyPrefix + key)) as unknown as string[] | null;
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < (flat ?? []).length; index += 2) fields.set(String(flat?.[index]), String(flat?.[index + 1]));
  return fields;
}

const FALSY_RESULTS: readonly [string, unknown][] = [
  ['0', 0],
  ['false', false],
  ["''", ''],
  ['{}', {}],
  ['[]', []],
  ['null', null],
  ['undefined', undefined],
];

const CLIENTS = ['fromEnv', 'defaultClient'] as const;

describe.each(CLIENTS)('falsy results through the %s client', (client) => {
  it.each(FALSY_RESULTS)('%s replays with its type', async (_label, value) => {
    let runs = 0;
    let key = '';
    const call = makeIdempotent(
      async (_input: { id: string }) => {
        runs++;
        return value;
      },
      { persistence: layers[client] as UpstashPersistenceLayer, namespace: `falsy-${crypto.randomUUID()}`, logger: false, onOutcome: (outcome) => (key = outcome.key ?? key) },
    );

    const first = await call({ id: 'a' });
    const replayed = await call({ id: 'a' });

    expect(runs).toBe(1);
    expect(first).toStrictEqual(value);
    expect(replayed).toStrictEqual(value);
    expect(typeof replayed).toBe(typeof value);
    const record = await layers[client]?.get({ key, now: Date.now() });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.response).not.toMatch(/^(None|undefined|null)$/);
    expect((await storedFields(key)).get('response')).toBe(record?.response);
  });
});

describe('records without a result', () => {
  it.each(CLIENTS)('IN_PROGRESS record has no response through %s', async (client) => {
    const layer = layers[client] as UpstashPersistenceLayer;
    const request = acquireRequest('no-result');

    await layer.acquire(request);
    const record = await layer.get({ key: request.key, now: Date.now() });
    const fields = await storedFields(request.key);

    expect(record?.status).toBe('IN_PROGRESS');
    expect(record).not.toHaveProperty('response');
    expect(record).not.toHaveProperty('payloadHash');
    expect(fields.has('response')).toBe(false);
    expect(fields.get('status')).toBe('IN_PROGRESS');
  });
});

const AWKWARD_RESPONSES: readonly string[] = [
  '',
  '0',
  '1e3',
  '-0',
  '12345678901234567890123',
  'null',
  'None',
  'undefined',
  'true',
  'OK',
  '{"a":1}',
  '[1,2]',
  '~prefixed',
  'ünïcödé ✓ 🧾',
  'nul\u0000byte',
  'r'.repeat(150_000) + '✓'.repeat(50_000),
];

describe('responses through a client with automatic deserialization', () => {
  it('every awkward response reads back exactly', async () => {
    const layer = layers.defaultClient as UpstashPersistenceLayer;

    for (const [index, response] of AWKWARD_RESPONSES.entries()) {
      const request = acquireRequest('awkward', { payloadHash: response === '' ? 'h' : response });
      await layer.acquire(request);
      await layer.saveStep({ key: request.key, leaseToken: request.leaseToken, name: `step ${index}`, result: response, now: Date.now() });
      await layer.complete({ key: request.key, leaseToken: request.leaseToken, response, now: Date.now() });

      const record = await layer.get({ key: request.key, now: Date.now() });
      const blocked = await layer.acquire(acquireRequest('awkward', { key: request.key }));

      const label = JSON.stringify(response.slice(0, 20));
      expect(record?.response, label).toBe(response);
      expect(record?.payloadHash, label).toBe(request.payloadHash);
      expect(record?.steps, label).toEqual({ [`step ${index}`]: response });
      expect(blocked.acquired ? undefined : blocked.record.response, label).toBe(response);
      expect(typeof record?.expiresAt, label).toBe('number');
    }
  });

  it('numeric-looking tokens read back as strings', async () => {
    const layer = layers.defaultClient as UpstashPersistenceLayer;
    const request = acquireRequest('numeric', { leaseToken: '00012345678901234567890', payloadHash: '1234567890123456789012345' });

    await layer.acquire(request);
    const record = await layer.get({ key: request.key, now: Date.now() });

    expect(record?.leaseToken).toBe('00012345678901234567890');
    expect(record?.payloadHash).toBe('1234567890123456789012345');
  });
});
