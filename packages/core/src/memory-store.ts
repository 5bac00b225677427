import { IdempotencyConfigError, IdempotencyPersistenceError } from './errors.js';
import { readEnvironment } from './lambda-context.js';
import { createLog, type IdempotencyLogger } from './logger.js';
import { OldestFirst } from './oldest-first.js';
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
} from './types.js';

/** Options of {@link MemoryPersistenceLayer}. */
export interface MemoryPersistenceOptions {
  /** Most records kept. When full, the oldest COMPLETED record goes first, then an expired one. Default 10000. */
  readonly maxItems?: number;
  /** Logger for the warning about running inside Lambda; `false` silences it. */
  readonly logger?: IdempotencyLogger | false;
}

type MutableRecord = { -readonly [K in keyof IdempotencyRecord]: IdempotencyRecord[K] } & { steps: Record<string, string> };

const DEFAULT_MAX_ITEMS = 10_000;
let warnedInsideLambda = false;

/**
 * Keeps records in this process: for tests, local development and single-process services.
 * Records are not shared between processes, so it does not protect a Lambda function whose
 * retries can reach another instance. It warns once when it runs inside Lambda.
 *
 * Bounded by `maxItems`: IN_PROGRESS records are never evicted, and when every record is in
 * progress a new `acquire` fails with `IdempotencyPersistenceError` rather than dropping a claim.
 *
 * @example
 * ```ts
 * const persistence = new MemoryPersistenceLayer({ maxItems: 1000 });
 * const handler = makeIdempotent(fn, { persistence, namespace: 'orders' });
 * ```
 */
export class MemoryPersistenceLayer implements PersistenceLayer {
  readonly traits: PersistenceTraits = { clock: 'caller' };
  readonly #maxItems: number;
  readonly #records = new Map<string, MutableRecord>();
  // Keys of COMPLETED records in the order they completed: the eviction order.
  readonly #completed = new Set<string>();
  readonly #oldestCompleted = new OldestFirst(this.#completed);

  constructor(options: MemoryPersistenceOptions = {}) {
    const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
    if (!Number.isSafeInteger(maxItems) || maxItems < 1) {
      throw new IdempotencyConfigError(`MemoryPersistenceLayer: maxItems must be a positive integer, got ${String(maxItems)}.`);
    }
    this.#maxItems = maxItems;
    if (readEnvironment('AWS_LAMBDA_FUNCTION_NAME') !== undefined && !warnedInsideLambda) {
      warnedInsideLambda = true;
      createLog(options.logger).warn(
        'MemoryPersistenceLayer keeps records in one process, so retries that reach another Lambda instance run again; use a shared store (Redis, DynamoDB, Upstash) in Lambda.',
      );
    }
  }

  /** Number of records held, expired ones included until they are evicted or read. */
  get size(): number {
    return this.#records.size;
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    const existing = this.#live(request.key, request.now);
    if (existing === undefined) {
      this.#makeRoom(request.now);
      this.#records.set(request.key, this.#claim(request, {}));
      return { acquired: true, steps: {} };
    }
    // A retried acquire whose first reply was lost finds its own claim. A completed record is
    // never claimed again, not even by the token that completed it.
    if (existing.leaseToken === request.leaseToken && existing.status === 'IN_PROGRESS') return { acquired: true, steps: { ...existing.steps } };
    if (!isTakeable(existing, request)) return { acquired: false, record: copy(existing) };

    this.#records.set(request.key, this.#claim(request, existing.steps));
    return { acquired: true, steps: { ...existing.steps } };
  }

  async complete(request: CompleteRequest): Promise<boolean> {
    const record = this.#owned(request.key, request.leaseToken, request.now);
    if (record === undefined) return false;
    record.status = 'COMPLETED';
    record.response = request.response;
    this.#completed.add(request.key);
    return true;
  }

  async release(request: ReleaseRequest): Promise<boolean> {
    const record = this.#owned(request.key, request.leaseToken, request.now);
    if (record === undefined) return false;
    if (Object.keys(record.steps).length === 0) this.#remove(request.key);
    else record.leaseExpiresAt = request.now;
    return true;
  }

  async extend(request: ExtendRequest): Promise<boolean> {
    const record = this.#owned(request.key, request.leaseToken, request.now);
    if (record === undefined || record.status !== 'IN_PROGRESS') return false;
    record.leaseExpiresAt = Math.min(request.now + request.leaseMs, record.expiresAt);
    return true;
  }

  async saveStep(request: SaveStepRequest): Promise<boolean> {
    const record = this.#owned(request.key, request.leaseToken, request.now);
    if (record === undefined || record.status !== 'IN_PROGRESS') return false;
    record.steps[request.name] = request.result;
    return true;
  }

  async get(request: GetRequest): Promise<IdempotencyRecord | undefined> {
    const record = this.#live(request.key, request.now);
    return record === undefined ? undefined : copy(record);
  }

  async delete(request: DeleteRequest): Promise<void> {
    this.#remove(request.key);
  }

  async close(): Promise<void> {}

  #claim(request: AcquireRequest, steps: Record<string, string>): MutableRecord {
    const expiresAt = request.now + request.expiresAfterMs;
    return {
      key: request.key,
      status: 'IN_PROGRESS',
      expiresAt,
      leaseExpiresAt: Math.min(request.now + request.leaseMs, expiresAt),
      leaseToken: request.leaseToken,
      ...(request.payloadHash === undefined ? {} : { payloadHash: request.payloadHash }),
      steps: { ...steps },
    };
  }

  /** The record under `key` unless it has expired; an expired one is dropped. */
  #live(key: string, now: number): MutableRecord | undefined {
    const record = this.#records.get(key);
    if (record === undefined || record.expiresAt > now) return record;
    this.#remove(key);
    return undefined;
  }

  #owned(key: string, leaseToken: string, now: number): MutableRecord | undefined {
    const record = this.#live(key, now);
    return record?.leaseToken === leaseToken ? record : undefined;
  }

  #remove(key: string): void {
    this.#records.delete(key);
    this.#completed.delete(key);
  }

  #makeRoom(now: number): void {
    if (this.#records.size < this.#maxItems) return;
    const oldestCompleted = this.#oldestCompleted.deleteOldest();
    if (oldestCompleted !== undefined) {
      this.#remove(oldestCompleted);
      return;
    }
    for (const [key, record] of this.#records) {
      if (record.expiresAt > now) continue;
      this.#remove(key);
      return;
    }
    throw new IdempotencyPersistenceError(
      `MemoryPersistenceLayer is full: all ${this.#maxItems} records are in progress, and in-progress records are never evicted. Raise maxItems.`,
    );
  }
}

function isTakeable(record: MutableRecord, request: AcquireRequest): boolean {
  if (record.status !== 'IN_PROGRESS' || record.leaseExpiresAt > request.now) return false;
  return record.payloadHash === undefined || request.payloadHash === undefined || record.payloadHash === request.payloadHash;
}

function copy(record: MutableRecord): IdempotencyRecord {
  return { ...record, steps: { ...record.steps } };
}
