import { describeValue, IdempotencyConfigError, type IdempotencyLogger, rejectUnknownKeys } from '@idemkit/idempotency-core';
import type { RedisOptions } from 'ioredis';

/**
 * Options of `new RedisPersistenceLayer(client, options)`.
 *
 * @example
 * ```ts
 * const options: RedisPersistenceOptions = { keyPrefix: 'payments:idem:' };
 * ```
 */
export interface RedisPersistenceOptions {
  /**
   * Prepended to every record key: a record lives at `<keyPrefix><namespace>#<digest>`. Default
   * `'idemkit:'`; `''` stores records under the bare key. A client's own ioredis `keyPrefix`
   * applies on top of it.
   */
  readonly keyPrefix?: string;
}

/**
 * Options of `RedisPersistenceLayer.fromUrl(url, options)`.
 *
 * @example
 * ```ts
 * const options: RedisUrlOptions = { keyPrefix: 'idem:', redis: { commandTimeout: 1_000 } };
 * ```
 */
export interface RedisUrlOptions extends RedisPersistenceOptions {
  /**
   * ioredis options, applied over {@link DEFAULT_REDIS_OPTIONS}. `replyMapping` is left out: the
   * client is the layer's own, and the default (RESP2) mapping is the one the replies are read with.
   */
  readonly redis?: Omit<RedisOptions, 'replyMapping'>;
  /**
   * Logger for the connection errors of the created client: one warning when the connection
   * fails, and the next only after it was ready again. `false` silences them. Default: the
   * console, prefixed `[idemkit]`.
   */
  readonly logger?: IdempotencyLogger | false;
}

/**
 * The ioredis options that `fromUrl` sets unless `options.redis` overrides them, so that a dead
 * server fails a call quickly instead of holding it in ioredis's queue.
 *
 * - `maxRetriesPerRequest: 1`: a command waits for at most one reconnection attempt (ioredis
 *   default 20, which keeps a call waiting for about 10 s while the server is down).
 * - `connectTimeout: 5000` and `commandTimeout: 5000`: a server that accepts no connection, or
 *   does not reply, fails the call after 5 s (ioredis: 10 s, and no command timeout at all).
 * - The offline queue stays on (`enableOfflineQueue: true`), because a call made while the first
 *   connection is being set up must wait for it. The two limits above bound that wait.
 *
 * @example
 * ```ts
 * RedisPersistenceLayer.fromUrl(url, { redis: { ...DEFAULT_REDIS_OPTIONS, commandTimeout: 1_000 } });
 * ```
 */
export const DEFAULT_REDIS_OPTIONS: Readonly<Omit<RedisOptions, 'replyMapping'>> = Object.freeze({
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  commandTimeout: 5_000,
  enableOfflineQueue: true,
});

/** The prefix that records get when `keyPrefix` is not set. */
export const DEFAULT_KEY_PREFIX = 'idemkit:';

const LAYER_OPTION_NAMES: readonly string[] = ['keyPrefix'] satisfies (keyof RedisPersistenceOptions)[];
const URL_OPTION_NAMES: readonly string[] = ['keyPrefix', 'redis', 'logger'] satisfies (keyof RedisUrlOptions)[];

/** Checks the options of the constructor and returns the key prefix. */
export function resolveKeyPrefix(options: RedisPersistenceOptions | undefined): string {
  checkOptionsObject(options, LAYER_OPTION_NAMES);
  const keyPrefix = options?.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') {
    throw new IdempotencyConfigError(`RedisPersistenceLayer: keyPrefix must be a string such as 'idemkit:', got ${describeValue(keyPrefix)}.`);
  }
  return keyPrefix;
}

/** Checks the options of `fromUrl`, which include those of the constructor. */
export function checkUrlOptions(options: RedisUrlOptions | undefined): void {
  checkOptionsObject(options, URL_OPTION_NAMES);
  const { redis, logger } = options ?? {};
  if (redis !== undefined && (typeof redis !== 'object' || redis === null || Array.isArray(redis))) {
    throw new IdempotencyConfigError(`RedisPersistenceLayer.fromUrl: redis must be an object of ioredis options, got ${describeValue(redis)}.`);
  }
  if (logger !== undefined && logger !== false && (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function')) {
    throw new IdempotencyConfigError(
      `RedisPersistenceLayer.fromUrl: logger must be an object with a warn method (console, pino) or false, got ${describeValue(logger)}.`,
    );
  }
}

/**
 * Checks that `url` is a `redis://` or `rediss://` URL and returns it. The message never repeats
 * the URL, which may contain a password.
 */
export function checkRedisUrl(url: unknown): string {
  if (typeof url !== 'string') {
    throw new IdempotencyConfigError(`RedisPersistenceLayer.fromUrl: url must be a string such as 'redis://127.0.0.1:6379', got ${describeValue(url)}.`);
  }
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new IdempotencyConfigError(
      `RedisPersistenceLayer.fromUrl: url is not a valid URL (a string of ${url.length} characters); pass one such as 'redis://127.0.0.1:6379' or 'rediss://user:password@host:6380'.`,
    );
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new IdempotencyConfigError(
      `RedisPersistenceLayer.fromUrl: url must start with redis:// or rediss:// (TLS), got a URL with the protocol ${protocol}. For Upstash over HTTP, use @idemkit/idempotency-upstash-rest.`,
    );
  }
  return url;
}

function checkOptionsObject(options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new IdempotencyConfigError(`RedisPersistenceLayer: options must be an object, got ${describeValue(options)}.`);
  }
  rejectUnknownKeys('RedisPersistenceLayer', options, allowed);
}
