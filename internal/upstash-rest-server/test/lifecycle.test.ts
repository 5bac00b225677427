import { createConnection, createServer, type Server, type Socket } from 'node:net';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { startUpstashRestServer, type UpstashRestServer } from '../src/index.ts';
import { post, REDIS_URL } from './support.ts';

/** A TCP proxy on 127.0.0.1 to the test Redis that can be switched to cut every connection. */
interface RedisProxy {
  readonly url: string;
  /** Closes the open connections and every new one at once, as a Redis outage would. */
  cut(): void;
  close(): Promise<void>;
}

async function startRedisProxy(): Promise<RedisProxy> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  let cut = false;

  const proxy: Server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = proxy.address() as { port: number };

  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}

interface Logged {
  readonly level: string;
  readonly message: string;
}

function collectingLogger(logged: Logged[]) {
  const record = (level: string) => (message: string) => void logged.push({ level, message });
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

describe('lifecycle', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('listens on 127.0.0.1 on an assigned port', async () => {
    const server = await startUpstashRestServer({ logger: false, token: 'fixed-token' });
    cleanups.push(() => server.close());

    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.token).toBe('fixed-token');
  });

  it('makes a random token by default', async () => {
    const first = await startUpstashRestServer({ logger: false });
    cleanups.push(() => first.close());
    const second = await startUpstashRestServer({ logger: false });
    cleanups.push(() => second.close());

    expect(first.token).toMatch(/^\S{20,}$/);
    expect(first.token).not.toBe(second.token);
  });

  it('close stops the server and can be called twice', async () => {
    const server = await startUpstashRestServer({ logger: false });
    expect((await post(server, '/', ['ping'])).status).toBe(200);

    await Promise.all([server.close(), server.close()]);

    await expect(fetch(server.url, { method: 'POST', body: '["ping"]' })).rejects.toThrow();
  });

  it('returns 500 while Redis is away', async () => {
    const proxy = await startRedisProxy();
    cleanups.push(() => proxy.close());
    const logged: Logged[] = [];
    const server = await startUpstashRestServer({ redisUrl: proxy.url, logger: collectingLogger(logged) });
    cleanups.push(() => server.close());
    expect((await post(server, '/multi-exec', [['ping']])).status).toBe(200);

    proxy.cut();

    for (const [path, body] of [['/', ['ping']], ['/pipeline', [['ping']]], ['/multi-exec', [['ping']]]] as const) {
      const response = await post(server, path, body);
      expect(response.status, path).toBe(500);
      expect(response.body).toEqual({ error: expect.stringMatching(/^ERR no reply from Redis: /) });
    }
    await vi.waitFor(() => {
      const warnings = logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
      expect(warnings).toContain('[idemkit] upstash-rest-server: Redis connection lost, reconnecting');
    });
  });

  it('start rejects when Redis is unreachable', async () => {
    const proxy = await startRedisProxy();
    cleanups.push(() => proxy.close());
    proxy.cut();

    const start = startUpstashRestServer({ redisUrl: proxy.url, logger: false });

    await expect(start).rejects.toThrow(/could not connect to Redis at redis:\/\/127\.0\.0\.1:\d+/);
  });

  it('start rejects invalid options', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ port: 8080 }, /unknown option port/],
      [{ token: 'has space' }, /token must be a non-empty string without whitespace/],
      [{ token: '' }, /token must be a non-empty string/],
      [{ redisUrl: 'http://127.0.0.1:6379' }, /redisUrl must be a redis:\/\/ or rediss:\/\/ URL/],
      [{ maxBodyBytes: 0 }, /maxBodyBytes must be a positive integer, got 0/],
      [{ rejectRedis7Syntax: 'yes' }, /rejectRedis7Syntax must be a boolean/],
      [{ logger: 'console' }, /logger must be an object with warn and error methods, or false/],
    ];

    for (const [options, error] of cases) {
      await expect(startUpstashRestServer(options as never), JSON.stringify(options)).rejects.toThrow(error);
    }
  });
});
