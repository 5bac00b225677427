import { IdempotencyConfigError, IdempotencyError, IdempotencyPersistenceError } from '@idemkit/idempotency-core';
import { ScriptReplyError } from '@idemkit/redis-scripts';

import { describe } from './options.js';

/**
 * The parts of an `@upstash/redis` `Redis` instance that the layer calls; an instance fits as
 * it is, with or without auto-pipelining. Scripts run with EVALSHA, and with EVAL only when the
 * server replies NOSCRIPT.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 *
 * const client: UpstashRedisLike = new Redis({ url, token, automaticDeserialization: false });
 * ```
 */
export interface UpstashRedisLike {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
}

/** Throws `IdempotencyConfigError` unless `client` has the methods of {@link UpstashRedisLike}. */
export function checkClient(client: unknown): asserts client is UpstashRedisLike {
  const candidate = client as Partial<Record<keyof UpstashRedisLike, unknown>> | null;
  const valid = typeof client === 'object' && candidate !== null
    && typeof candidate.evalsha === 'function' && typeof candidate.eval === 'function' && typeof candidate.del === 'function';
  if (valid) return;

  const hint = typeof client === 'string' || client === undefined
    ? ' To read UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, use UpstashPersistenceLayer.fromEnv().'
    : '';
  throw new IdempotencyConfigError(
    `UpstashPersistenceLayer: client must be an @upstash/redis Redis instance (with evalsha, eval and del), got ${describe(client)}.${hint}`,
  );
}

// @upstash/redis appends the whole request body to the message of an HTTP error. That body contains
// the script arguments, among them a stored response, so it never goes into our message.
const REQUEST_BODY_SUFFIX = /, command was: [\s\S]*$/;

/**
 * Wraps a failure of the client in `IdempotencyPersistenceError`, keeping the client's error as
 * `cause` and idemkit errors as they are. The message names the operation and the record key.
 */
export function persistenceError(operation: string, key: string, error: unknown): IdempotencyError {
  if (IdempotencyError.is(error)) return error;
  const reason = (error instanceof Error ? error.message : String(error)).replace(REQUEST_BODY_SUFFIX, '').replace(/\.+$/, '');
  return new IdempotencyPersistenceError(
    `UpstashPersistenceLayer: ${operation} failed for the record ${key}: ${reason}. ${hintFor(error, reason)}`,
    { cause: error, key },
  );
}

function hintFor(error: unknown, reason: string): string {
  if (error instanceof ScriptReplyError || reason.includes('WRONGTYPE')) {
    return 'The key holds data that idemkit did not write; choose a keyPrefix that nothing else uses.';
  }
  if (/unauthori[sz]ed|WRONGPASS|NOPERM/i.test(reason)) {
    return 'Check UPSTASH_REDIS_REST_TOKEN: the database rejected the token, or the token may not run scripts (a read-only token cannot).';
  }
  return 'Check UPSTASH_REDIS_REST_URL and that the database is reachable. @upstash/redis retries network errors (its retry option), but not HTTP errors such as a 5xx.';
}
