import { randomBytes } from 'node:crypto';

import type { ServerLogger } from './logger.ts';

/**
 * Options of {@link startUpstashRestServer}. Every option has a default, so `{}` starts a server
 * on the local Redis.
 *
 * @example
 * ```ts
 * const server = await startUpstashRestServer({ rejectRedis7Syntax: true, logger: false });
 * ```
 */
export interface UpstashRestServerOptions {
  /** The Redis the commands run on. Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
  /** The bearer token clients must send. Default: a random token, read it from `server.token`. */
  readonly token?: string;
  /**
   * Rejects syntax and commands that need Redis 7 or later with a 400 error, because Upstash
   * documents compatibility up to Redis 6.2. Can be changed later on `server.rejectRedis7Syntax`.
   * Default: `false`.
   */
  readonly rejectRedis7Syntax?: boolean;
  /** The largest request body accepted, in bytes; a larger one gets 413. Default: 10 MiB. */
  readonly maxBodyBytes?: number;
  /** The logger the server writes to. Default: warnings and errors to the console; `false` logs nothing. */
  readonly logger?: ServerLogger | false;
}

/** The options with their defaults applied. */
export interface ResolvedOptions {
  readonly redisUrl: string;
  readonly token: string;
  readonly rejectRedis7Syntax: boolean;
  readonly maxBodyBytes: number;
  readonly logger: ServerLogger | false | undefined;
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const KNOWN_OPTIONS = new Set(['redisUrl', 'token', 'rejectRedis7Syntax', 'maxBodyBytes', 'logger']);

/** Checks the options once and applies the defaults; throws a TypeError that names the option. */
export function resolveOptions(options: UpstashRestServerOptions): ResolvedOptions {
  rejectUnknownOptions(options);

  return {
    redisUrl: resolveRedisUrl(options.redisUrl ?? process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL),
    token: resolveToken(options.token),
    rejectRedis7Syntax: resolveBoolean('rejectRedis7Syntax', options.rejectRedis7Syntax ?? false),
    maxBodyBytes: resolveMaxBodyBytes(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    logger: resolveLogger(options.logger),
  };
}

function rejectUnknownOptions(options: UpstashRestServerOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`startUpstashRestServer: options must be an object, got ${String(options)}.`);
  }
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length > 0) {
    const known = [...KNOWN_OPTIONS].join(', ');
    throw new TypeError(`startUpstashRestServer: unknown option ${unknown.join(', ')}; the options are ${known}.`);
  }
}

function resolveRedisUrl(redisUrl: unknown): string {
  const protocol = typeof redisUrl === 'string' && URL.canParse(redisUrl) ? new URL(redisUrl).protocol : undefined;
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new TypeError(
      `startUpstashRestServer: redisUrl must be a redis:// or rediss:// URL, got ${JSON.stringify(redisUrl)}; set the option or REDIS_URL.`,
    );
  }
  return redisUrl as string;
}

function resolveToken(token: unknown): string {
  if (token === undefined) return randomBytes(24).toString('base64url');

  // The client splits `Bearer <token>` on a space, so a token with whitespace could never match.
  if (typeof token !== 'string' || !/^\S+$/.test(token)) {
    throw new TypeError(`startUpstashRestServer: token must be a non-empty string without whitespace, got ${JSON.stringify(token)}.`);
  }
  return token;
}

function resolveBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`startUpstashRestServer: ${name} must be a boolean, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function resolveMaxBodyBytes(maxBodyBytes: unknown): number {
  if (typeof maxBodyBytes !== 'number' || !Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new TypeError(`startUpstashRestServer: maxBodyBytes must be a positive integer, got ${String(maxBodyBytes)}.`);
  }
  return maxBodyBytes;
}

function resolveLogger(logger: unknown): ServerLogger | false | undefined {
  if (logger === undefined || logger === false) return logger;

  const candidate = logger as Partial<ServerLogger> | null;
  if (typeof candidate?.warn !== 'function' || typeof candidate.error !== 'function') {
    throw new TypeError(`startUpstashRestServer: logger must be an object with warn and error methods, or false, got ${String(logger)}.`);
  }
  return candidate as ServerLogger;
}
