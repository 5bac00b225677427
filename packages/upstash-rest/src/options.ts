import { IdempotencyConfigError } from '@idemkit/idempotency-core';
import type { RedisConfigNodejs } from '@upstash/redis';

/**
 * Options of `new UpstashPersistenceLayer(client, options)`.
 *
 * @example
 * ```ts
 * const options: UpstashPersistenceOptions = { keyPrefix: 'payments:idem:' };
 * ```
 */
export interface UpstashPersistenceOptions {
  /**
   * Prepended to every record key: a record lives at `<keyPrefix><namespace>#<digest>`. Default
   * `'idemkit:'`; `''` stores records under the bare key.
   */
  readonly keyPrefix?: string;
}

/**
 * Environment variables as `fromEnv` reads them: `process.env`, or the `env` object that a
 * Cloudflare Worker receives. Values other than strings (a Worker's KV or R2 bindings) are ignored.
 *
 * @example
 * ```ts
 * const env: UpstashEnv = { UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io', UPSTASH_REDIS_REST_TOKEN: token };
 * ```
 */
export type UpstashEnv = Readonly<Record<string, unknown>>;

/**
 * `@upstash/redis` client options that `fromEnv` passes on, such as `retry`, `signal` or
 * `enableAutoPipelining`. `url` and `token` come from the environment, and
 * `automaticDeserialization` is always `false`, so they cannot be set here.
 *
 * @example
 * ```ts
 * const redis: UpstashClientOptions = { retry: { retries: 2 }, signal: () => AbortSignal.timeout(5_000) };
 * ```
 */
export type UpstashClientOptions = Omit<RedisConfigNodejs, 'url' | 'token' | 'automaticDeserialization'>;

/**
 * Options of `UpstashPersistenceLayer.fromEnv(options)`.
 *
 * @example
 * ```ts
 * // A Cloudflare Worker: its variables arrive as the env argument of fetch().
 * const options: UpstashEnvOptions = { env, keyPrefix: 'idem:' };
 * ```
 */
export interface UpstashEnvOptions extends UpstashPersistenceOptions {
  /**
   * The environment variables that `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` are
   * read from. Default `globalThis.process.env`, which Node.js and Vercel (Node and Edge
   * functions) have. Pass a Cloudflare Worker's `env` here.
   */
  readonly env?: UpstashEnv;
  /** Options of the `@upstash/redis` client that `fromEnv` creates. Default: the client's defaults. */
  readonly redis?: UpstashClientOptions;
}

/** The URL and token of an Upstash database, as read from the environment. */
export interface UpstashConnection {
  readonly url: string;
  readonly token: string;
}

/** The prefix that records get when `keyPrefix` is not set. */
export const DEFAULT_KEY_PREFIX = 'idemkit:';

export const URL_VARIABLE = 'UPSTASH_REDIS_REST_URL';
export const TOKEN_VARIABLE = 'UPSTASH_REDIS_REST_TOKEN';

const LAYER_OPTION_NAMES: readonly string[] = ['keyPrefix'] satisfies (keyof UpstashPersistenceOptions)[];
const ENV_OPTION_NAMES: readonly string[] = ['keyPrefix', 'env', 'redis'] satisfies (keyof UpstashEnvOptions)[];
// Set by fromEnv itself; a value in options.redis would silently lose, so it is rejected instead.
const RESERVED_CLIENT_OPTIONS: readonly string[] = ['url', 'token', 'automaticDeserialization'];

/** Checks the options of the constructor and returns the key prefix. */
export function resolveKeyPrefix(options: UpstashPersistenceOptions | undefined): string {
  checkOptionsObject('UpstashPersistenceLayer', options, LAYER_OPTION_NAMES);
  const keyPrefix = options?.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') {
    throw new IdempotencyConfigError(`UpstashPersistenceLayer: keyPrefix must be a string such as 'idemkit:', got ${describe(keyPrefix)}.`);
  }
  return keyPrefix;
}

/** Checks the options of `fromEnv`; the constructor checks `keyPrefix`. */
export function checkEnvOptions(options: UpstashEnvOptions | undefined): void {
  checkOptionsObject('UpstashPersistenceLayer.fromEnv', options, ENV_OPTION_NAMES);
  const { env, redis } = options ?? {};
  if (env !== undefined && !isPlainObject(env)) {
    throw new IdempotencyConfigError(
      `UpstashPersistenceLayer.fromEnv: env must be an object of environment variables (a Cloudflare Worker's env), got ${describe(env)}.`,
    );
  }
  if (redis === undefined) return;

  if (!isPlainObject(redis)) {
    throw new IdempotencyConfigError(`UpstashPersistenceLayer.fromEnv: redis must be an object of @upstash/redis client options, got ${describe(redis)}.`);
  }
  for (const name of RESERVED_CLIENT_OPTIONS) {
    if (!(name in redis)) continue;
    throw new IdempotencyConfigError(
      `UpstashPersistenceLayer.fromEnv: redis.${name} cannot be set, because fromEnv sets it (url and token from ${URL_VARIABLE} and ${TOKEN_VARIABLE}, automaticDeserialization always false); remove it, or build the client yourself and pass it to new UpstashPersistenceLayer(client).`,
    );
  }
}

/**
 * Reads the database URL and token from `env`, or from `globalThis.process.env` when `env` is not
 * given. Reaching `process` through `globalThis` keeps this safe on runtimes that have no
 * `process` at all. The messages name the variable and never repeat its value.
 */
export function readConnection(env: UpstashEnv | undefined): UpstashConnection {
  const source = env ?? processEnv();
  if (source === undefined) {
    throw new IdempotencyConfigError(
      `UpstashPersistenceLayer.fromEnv: this runtime has no process.env to read ${URL_VARIABLE} and ${TOKEN_VARIABLE} from; pass them as fromEnv({ env }), for example a Cloudflare Worker's env.`,
    );
  }
  const where = env === undefined ? 'process.env' : 'the env option';

  const missing = [URL_VARIABLE, TOKEN_VARIABLE].filter((name) => typeof source[name] !== 'string' || source[name] === '');
  if (missing.length > 0) {
    throw new IdempotencyConfigError(
      `UpstashPersistenceLayer.fromEnv: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing from ${where}; copy the REST URL and token from the REST API section of the database in the Upstash console into ${missing.length > 1 ? 'these variables' : 'this variable'} (a Cloudflare Worker: wrangler secret put ${missing[0]}).`,
    );
  }

  const url = source[URL_VARIABLE] as string;
  const token = source[TOKEN_VARIABLE] as string;
  for (const [name, value] of [[URL_VARIABLE, url], [TOKEN_VARIABLE, token]] as const) {
    if (/\s/.test(value)) {
      throw new IdempotencyConfigError(`UpstashPersistenceLayer.fromEnv: ${name} in ${where} contains whitespace or a line break; remove it.`);
    }
  }
  checkRestUrl(url, where);
  return { url, token };
}

function checkRestUrl(url: string, where: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new IdempotencyConfigError(
      `UpstashPersistenceLayer.fromEnv: ${URL_VARIABLE} in ${where} is not a valid URL (a string of ${url.length} characters); set it to the REST URL, such as https://eu1-example-12345.upstash.io.`,
    );
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    const hint = protocol === 'redis:' || protocol === 'rediss:' ? ' That is a Redis URL: use the REST URL of the database, or @idemkit/idempotency-redis for a TCP connection.' : '';
    throw new IdempotencyConfigError(`UpstashPersistenceLayer.fromEnv: ${URL_VARIABLE} in ${where} must be an https:// URL (http:// for a local emulator), got one with the protocol ${protocol}.${hint}`);
  }
}

function processEnv(): UpstashEnv | undefined {
  const env = (globalThis as { process?: { env?: unknown } }).process?.env;
  return isPlainObject(env) ? env : undefined;
}

function checkOptionsObject(label: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    throw new IdempotencyConfigError(`${label}: options must be an object, got ${describe(options)}.`);
  }
  for (const name of Object.keys(options)) {
    if (allowed.includes(name)) continue;
    throw new IdempotencyConfigError(`${label}: unknown option ${name}; valid options are: ${allowed.join(', ')}.`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders a received value for a message: short, and never a whole string. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
