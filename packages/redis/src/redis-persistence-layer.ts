import {
  type AcquireRequest,
  type AcquireResult,
  type CompleteRequest,
  type DeleteRequest,
  type ExtendRequest,
  type GetRequest,
  IdempotencyError,
  IdempotencyPersistenceError,
  type IdempotencyRecord,
  type PersistenceLayer,
  type PersistenceTraits,
  type ReleaseRequest,
  type SaveStepRequest,
} from '@idemkit/idempotency-core';
import { type RecordScript, recordScripts, ScriptReplyError } from '@idemkit/redis-scripts';
import { Redis } from 'ioredis';

import { defineScriptCommands, logConnectionErrors, type RedisClientLike, type ScriptCommand } from './client.js';
import {
  checkRedisUrl,
  checkUrlOptions,
  DEFAULT_REDIS_OPTIONS,
  type RedisPersistenceOptions,
  type RedisUrlOptions,
  resolveKeyPrefix,
} from './options.js';

/**
 * Stores idempotency records in Redis or Redis Cluster through ioredis. Each contract method is
 * one Lua script (one round trip, atomic) on the record's key, and leases and expiry use the
 * server's clock (`TIME`), so clock skew between clients cannot break a lease. Records live at
 * `<keyPrefix><core key>` as hashes whose key TTL is the record's expiry.
 *
 * @example
 * ```ts
 * import { makeIdempotent } from '@idemkit/idempotency-core';
 * import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
 *
 * const persistence = RedisPersistenceLayer.fromUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * export const handler = makeIdempotent(charge, { persistence, namespace: 'charge' });
 * ```
 */
export class RedisPersistenceLayer implements PersistenceLayer {
  /** Leases and expiry are on the server's clock; the `now` of each request is ignored. */
  readonly traits: PersistenceTraits = { clock: 'store' };
  readonly #client: RedisClientLike;
  readonly #commands: ReadonlyMap<string, ScriptCommand>;
  readonly #keyPrefix: string;
  // The client this layer created in fromUrl, which close() quits; undefined for a given client.
  #ownedClient: Redis | undefined;

  /**
   * Uses a client that the caller created and closes: an ioredis `Redis` or `Cluster`.
   * `close()` leaves it open.
   *
   * @example
   * ```ts
   * const persistence = new RedisPersistenceLayer(new Redis(url), { keyPrefix: 'orders:idem:' });
   * ```
   */
  constructor(client: RedisClientLike, options?: RedisPersistenceOptions) {
    this.#keyPrefix = resolveKeyPrefix(options);
    this.#commands = defineScriptCommands(client);
    this.#client = client;
  }

  /**
   * Creates an ioredis client for a `redis://` or `rediss://` (TLS) URL with
   * {@link DEFAULT_REDIS_OPTIONS}, which `options.redis` overrides. `close()` quits that client.
   *
   * @example
   * ```ts
   * const persistence = RedisPersistenceLayer.fromUrl('rediss://default:secret@cache.example.com:6380', {
   *   keyPrefix: 'idem:',
   *   redis: { commandTimeout: 2_000 },
   * });
   * ```
   */
  static fromUrl(url: string, options?: RedisUrlOptions): RedisPersistenceLayer {
    checkUrlOptions(options);
    const { redis, logger, ...layerOptions } = options ?? {};
    const client = new Redis(checkRedisUrl(url), { ...DEFAULT_REDIS_OPTIONS, ...redis });
    logConnectionErrors(client, logger);

    try {
      const layer = new RedisPersistenceLayer(client, layerOptions);
      layer.#ownedClient = client;
      return layer;
    } catch (error) {
      client.disconnect();
      throw error;
    }
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

  /** Quits the client that `fromUrl` created; does nothing for a client passed to the constructor. */
  async close(): Promise<void> {
    const client = this.#ownedClient;
    if (client === undefined) return;
    this.#ownedClient = undefined;
    // QUIT waits for the replies in flight; when the connection is down it cannot, so drop it.
    await client.quit().catch(() => client.disconnect());
  }

  async #run<TRequest extends { readonly key: string }, TResult>(script: RecordScript<TRequest, TResult>, request: TRequest): Promise<TResult> {
    const command = this.#commands.get(script.commandName) as ScriptCommand;
    try {
      const reply = await command(this.#keyPrefix + request.key, ...script.arguments(request));
      return script.decode(reply, request);
    } catch (error) {
      throw persistenceError(script.operation, request.key, error);
    }
  }
}

function persistenceError(operation: string, key: string, error: unknown): IdempotencyError {
  if (IdempotencyError.is(error)) return error;
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
  return new IdempotencyPersistenceError(`RedisPersistenceLayer: ${operation} failed for the record ${key}: ${reason}. ${hintFor(error, reason)}`, {
    cause: error,
    key,
  });
}

function hintFor(error: unknown, reason: string): string {
  if (error instanceof ScriptReplyError || reason.startsWith('WRONGTYPE')) {
    return 'The key holds data that idemkit did not write; choose a keyPrefix that nothing else uses.';
  }
  return 'Check that Redis is reachable and accepts writes (a replica replies READONLY during a failover).';
}
