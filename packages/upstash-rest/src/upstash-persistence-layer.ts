import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  DeleteRequest,
  ExtendRequest,
  GetRequest,
  IdempotencyRecord,
  PersistenceLayer,
  PersistenceTraits,
  ReleaseRequest,
  SaveStepRequest,
} from '@idemkit/idempotency-core';
import { type RecordScript, recordScripts, runScript } from '@idemkit/redis-scripts';
import { Redis } from '@upstash/redis';

import { checkClient, persistenceError, type UpstashRedisLike } from './client.js';
import { checkEnvOptions, readConnection, resolveKeyPrefix, type UpstashEnvOptions, type UpstashPersistenceOptions } from './options.js';

/**
 * Stores idempotency records in Upstash Redis over its REST API, through `@upstash/redis`: no
 * connection to hold and no Node.js API, so it runs in serverless and edge functions. Each
 * contract method is one Lua script, sent as one HTTP request (EVALSHA; the source follows with
 * EVAL only after the server replies NOSCRIPT). The scripts are those of
 * `@idemkit/idempotency-redis`, so records, leases and expiry behave the same, on the server's
 * clock (`TIME`).
 *
 * @example
 * ```ts
 * import { makeIdempotent } from '@idemkit/idempotency-core';
 * import { UpstashPersistenceLayer } from '@idemkit/idempotency-upstash-rest';
 *
 * const persistence = UpstashPersistenceLayer.fromEnv({ keyPrefix: 'payments:idem:' });
 * export const charge = makeIdempotent(chargeCard, { persistence, namespace: 'charge' });
 * ```
 */
export class UpstashPersistenceLayer implements PersistenceLayer {
  /** Leases and expiry are on the server's clock; the `now` of each request is ignored. */
  readonly traits: PersistenceTraits = { clock: 'store' };
  readonly #client: UpstashRedisLike;
  readonly #keyPrefix: string;

  /**
   * Uses an `@upstash/redis` client that the caller created. Its `automaticDeserialization`
   * setting does not matter, because every string that a script returns starts with `~`, which
   * no JSON text starts with. So the client's `JSON.parse` leaves it unchanged, and a reply that
   * is not in the scripts' format fails the call instead of being misread.
   *
   * @example
   * ```ts
   * import { Redis } from '@upstash/redis';
   *
   * const redis = new Redis({ url: process.env.KV_REST_API_URL, token: process.env.KV_REST_API_TOKEN });
   * const persistence = new UpstashPersistenceLayer(redis, { keyPrefix: 'orders:idem:' });
   * ```
   */
  constructor(client: UpstashRedisLike, options?: UpstashPersistenceOptions) {
    this.#keyPrefix = resolveKeyPrefix(options);
    checkClient(client);
    this.#client = client;
  }

  /**
   * Creates a client from `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN`, read from
   * `options.env` or else from `globalThis.process.env`, with `automaticDeserialization: false`
   * and `options.redis` for the rest. Throws `IdempotencyConfigError` naming a missing variable.
   *
   * @example
   * ```ts
   * // Vercel (Node.js and Edge functions): the variables are in process.env.
   * const persistence = UpstashPersistenceLayer.fromEnv();
   *
   * // Cloudflare Workers: pass the env argument of fetch().
   * export default {
   *   async fetch(request: Request, env: Env): Promise<Response> {
   *     const persistence = UpstashPersistenceLayer.fromEnv({ env });
   *     // …
   *   },
   * };
   * ```
   */
  static fromEnv(options?: UpstashEnvOptions): UpstashPersistenceLayer {
    checkEnvOptions(options);
    const { env, redis, ...layerOptions } = options ?? {};
    const { url, token } = readConnection(env);
    const client = new Redis({ ...redis, url, token, automaticDeserialization: false });
    return new UpstashPersistenceLayer(client, layerOptions);
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    return this.#run(recordScripts.acquire, request);
  }

  async complete(request: CompleteRequest): Promise<boolean> {
    return this.#run(recordScripts.complete, request);
  }

  async release(request: ReleaseRequest): Promise<boolean> {
    return this.#run(recordScripts.release, request);
  }

  async extend(request: ExtendRequest): Promise<boolean> {
    return this.#run(recordScripts.extend, request);
  }

  async saveStep(request: SaveStepRequest): Promise<boolean> {
    return this.#run(recordScripts.saveStep, request);
  }

  async get(request: GetRequest): Promise<IdempotencyRecord | undefined> {
    return this.#run(recordScripts.get, request);
  }

  /** Deletes the record with one DEL, which is atomic without a script. */
  async delete(request: DeleteRequest): Promise<void> {
    try {
      await this.#client.del(this.#keyPrefix + request.key);
    } catch (error) {
      throw persistenceError('delete', request.key, error);
    }
  }

  /**
   * Does nothing, because the client speaks HTTP and keeps no connection open, also when
   * `fromEnv` created it. The layer keeps working after `close()`.
   */
  async close(): Promise<void> {}

  async #run<TRequest extends { readonly key: string }, TResult>(script: RecordScript<TRequest, TResult>, request: TRequest): Promise<TResult> {
    try {
      return await runScript(this.#client, script, this.#keyPrefix + request.key, request);
    } catch (error) {
      throw persistenceError(script.operation, request.key, error);
    }
  }
}
