import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

import { RedisPersistenceLayer } from '../src/index.js';

/** The shared Redis of the test run. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Returns a random key prefix for one test file, so files never see each other's records. */
export function randomKeyPrefix(): string {
  return `idemkit-test:${randomUUID()}:`;
}

/**
 * Connects to `url` and checks that it replies to PING, so a missing server fails the tests with a
 * message that names the fix, instead of letting them skip or time out.
 */
export async function connectRedis(url: string = REDIS_URL): Promise<Redis> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 5_000 });
  client.on('error', () => {});
  try {
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`Redis at ${url} did not reply to PING (${(error as Error).message}); start redis-server on 127.0.0.1:6379 or set REDIS_URL.`, {
      cause: error,
    });
  }
  return client;
}

/** The shared Redis as one test file uses it: a client, and a layer under the file's own prefix. */
export interface SharedRedis {
  readonly keyPrefix: string;
  /** Set before the file's first test. */
  client: Redis;
  /** A layer on `client` with `keyPrefix`; set before the file's first test. */
  layer: RedisPersistenceLayer;
}

/**
 * Connects to the shared Redis before the tests of the calling file, and deletes the file's keys
 * and disconnects after them. Call it at the top level of a test file.
 */
export function useSharedRedis(): SharedRedis {
  const shared = { keyPrefix: randomKeyPrefix() } as SharedRedis;
  beforeAll(async () => {
    shared.client = await connectRedis();
    shared.layer = new RedisPersistenceLayer(shared.client, { keyPrefix: shared.keyPrefix });
  });
  afterAll(async () => {
    // Unset when the connection failed, and beforeAll has already reported that.
    if (shared.client === undefined) return;
    await deleteKeysWithPrefix(shared.client, shared.keyPrefix);
    await shared.client.quit();
  });
  return shared;
}

/** Deletes every key that starts with `prefix`. */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A command that a monitored server executed. */
export interface MonitoredCommand {
  /** Lowercase command name, such as `evalsha` or `hset`. */
  readonly name: string;
  readonly args: readonly string[];
  /** True for a command that a Lua script called, false for one a client sent. */
  readonly fromScript: boolean;
}

/**
 * Watches a server with MONITOR. Use it only on a private server: MONITOR reports the commands
 * of every client, so commands of other tests would be counted.
 */
export class CommandMonitor {
  readonly #control: Redis;
  readonly #monitor: Redis;
  readonly #seen: MonitoredCommand[] = [];
  readonly #waiters = new Map<string, () => void>();

  private constructor(control: Redis, monitor: Redis) {
    this.#control = control;
    this.#monitor = monitor;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [name = '', ...rest] = args;
      this.#seen.push({ name: name.toLowerCase(), args: rest, fromScript: source === 'lua' });
      if (name.toLowerCase() === 'echo' && rest[0] !== undefined) this.#waiters.get(rest[0])?.();
    });
  }

  /** Starts monitoring the server at `url`. */
  static async start(url: string): Promise<CommandMonitor> {
    const control = await connectRedis(url);
    const monitor = await control.monitor();
    return new CommandMonitor(control, monitor);
  }

  /**
   * Runs `action` and returns the commands the server executed meanwhile, in order. ECHO markers
   * sent before and after `action` bound the window, so nothing is missed or counted twice.
   */
  async record(action: () => Promise<unknown>): Promise<MonitoredCommand[]> {
    const start = await this.#mark();
    await action();
    const end = await this.#mark();
    return this.#seen.slice(start + 1, end);
  }

  async close(): Promise<void> {
    this.#monitor.disconnect();
    await this.#control.quit();
  }

  /** Sends a unique ECHO and returns its index among the seen commands once MONITOR reports it. */
  async #mark(): Promise<number> {
    const marker = `marker-${randomUUID()}`;
    const seen = new Promise<void>((resolve) => this.#waiters.set(marker, resolve));
    await this.#control.echo(marker);
    await seen;
    this.#waiters.delete(marker);
    return this.#seen.findLastIndex((command) => command.name === 'echo' && command.args[0] === marker);
  }
}
