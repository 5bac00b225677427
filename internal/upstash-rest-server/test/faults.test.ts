import { errors, Redis } from '@upstash/redis';
import type { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startUpstashRestServer, type UpstashRestServer } from '../src/index.ts';
import { connectDirect, deleteKeys, post, randomPrefix } from './support.ts';

describe('fault switches', () => {
  const prefix = randomPrefix();
  let server: UpstashRestServer;
  let direct: IORedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startUpstashRestServer({ logger: false });
    direct = await connectDirect();
    // Backoff 0 keeps the retry after a dropped response fast; the retry count is the default.
    redis = new Redis({ url: server.url, token: server.token, automaticDeserialization: false, retry: { backoff: () => 0 } });
  });

  beforeEach(() => {
    server.faults.clear();
    server.stats.reset();
  });

  afterAll(async () => {
    await deleteKeys(direct, prefix);
    direct.disconnect();
    await server.close();
  });

  it('drop-after-run runs the command and the client retries', async () => {
    const key = `${prefix}dropped`;
    server.faults.inject({ kind: 'drop-after-run' });

    // The first INCR ran before its response was lost, so the retry returns 2.
    expect(await redis.incr(key)).toBe(2);
    expect(await direct.get(key)).toBe('2');
    expect(server.stats.requests.total).toBe(2);
    expect(server.stats.faultsFired).toBe(1);
  });

  it('a lost response makes SET NX lose to itself', async () => {
    const key = `${prefix}lost-race`;
    server.faults.inject({ kind: 'drop-after-run' });

    expect(await redis.set(key, 'mine', { nx: true, px: 10_000 })).toBeNull();
    expect(await direct.get(key)).toBe('mine');
  });

  it('drop-after-run surfaces a network error without retries', async () => {
    const once = new Redis({ url: server.url, token: server.token, retry: { retries: 0 } });
    const key = `${prefix}no-retry`;
    server.faults.inject({ kind: 'drop-after-run' });

    const call = once.set(key, 'v');

    await expect(call).rejects.toBeInstanceOf(TypeError);
    await expect(call).rejects.not.toBeInstanceOf(errors.UpstashError);
    expect(await direct.get(key)).toBe('v');
    expect(server.stats.requests.total).toBe(1);
  });

  it('retry false still makes two attempts', async () => {
    // @upstash/redis 1.39.0 turns `retry: false` into one retry; `retries: 0` makes one attempt.
    const noRetry = new Redis({ url: server.url, token: server.token, retry: false });
    server.faults.inject({ kind: 'drop-after-run', times: 2 });

    await expect(noRetry.ping()).rejects.toBeInstanceOf(TypeError);
    expect(server.stats.requests.total).toBe(2);
  });

  it('status-before-run is not retried and runs nothing', async () => {
    const key = `${prefix}before`;
    server.faults.inject({ kind: 'status-before-run', status: 503 });

    const call = redis.set(key, 'v');

    await expect(call).rejects.toBeInstanceOf(errors.UpstashError);
    await expect(call).rejects.toThrow(/injected fault: status 503 without running the commands/);
    expect(server.stats.requests.total).toBe(1);
    expect(server.stats.commands.total).toBe(0);
    expect(await direct.exists(key)).toBe(0);
  });

  it('status-after-run runs the command and is not retried', async () => {
    const key = `${prefix}after`;
    server.faults.inject({ kind: 'status-after-run' });

    const response = await post(server, '/', ['incr', key]);

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'ERR injected fault: status 500 after running the commands' });
    expect(response.headers.get('upstash-sync-token')).not.toBeNull();
    expect(await direct.get(key)).toBe('1');

    server.faults.inject({ kind: 'status-after-run' });
    await expect(redis.incr(key)).rejects.toBeInstanceOf(errors.UpstashError);
    expect(await direct.get(key)).toBe('2');
    expect(server.stats.requests.total).toBe(2);
  });

  it('skip and times pick the requests', async () => {
    server.faults.inject({ kind: 'status-before-run', skip: 1, times: 2 });
    expect(server.faults.pending).toBe(2);

    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await post(server, '/', ['ping'])).status);

    expect(statuses).toEqual([200, 500, 500, 200]);
    expect(server.faults.pending).toBe(0);
  });

  it('endpoint limits a fault to one endpoint', async () => {
    server.faults.inject({ kind: 'status-before-run', endpoint: 'multiExec' });

    expect((await post(server, '/', ['ping'])).status).toBe(200);
    expect((await post(server, '/pipeline', [['ping']])).status).toBe(200);
    expect((await post(server, '/multi-exec', [['ping']])).status).toBe(500);
    expect((await post(server, '/multi-exec', [['ping']])).status).toBe(200);
  });

  it('faults skip rejected requests', async () => {
    server.faults.inject({ kind: 'status-before-run' });

    expect((await post(server, '/', ['ping'], { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await post(server, '/', [])).status).toBe(400);
    expect((await post(server, '/', ['ping'])).status).toBe(500);
  });

  it('clear removes queued faults', async () => {
    server.faults.inject({ kind: 'drop-after-run', times: 3 });
    server.faults.clear();

    expect(server.faults.pending).toBe(0);
    expect((await post(server, '/', ['ping'])).status).toBe(200);
  });

  it('inject rejects invalid faults', () => {
    expect(() => server.faults.inject({ kind: 'status-before-run', status: 404 })).toThrow(/status must be an HTTP status from 500 to 599, got 404/);
    expect(() => server.faults.inject({ kind: 'drop-after-run', times: 0 })).toThrow(/times must be a positive integer, got 0/);
    expect(() => server.faults.inject({ kind: 'drop-after-run', skip: -1 })).toThrow(/skip must be a non-negative integer/);
    expect(() => server.faults.inject({ kind: 'explode' as never })).toThrow(/kind must be one of/);
    expect(server.faults.pending).toBe(0);
  });

  it('stats count requests and commands by endpoint', async () => {
    await post(server, '/', ['ping']);
    await post(server, '/pipeline', [['ping'], ['ping'], ['ping']]);
    await post(server, '/multi-exec', [['ping'], ['ping']]);
    await post(server, '/', ['ping'], { headers: { authorization: 'Bearer wrong' } });
    await post(server, '/unknown', ['ping']);
    await post(server, '/', ['subscribe', 'channel']);

    expect(server.stats.requests).toEqual({ total: 6, command: 3, pipeline: 1, multiExec: 1 });
    expect(server.stats.commands).toEqual({ total: 6, command: 1, pipeline: 3, multiExec: 2 });
  });
});
