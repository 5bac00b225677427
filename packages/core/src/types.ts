/**
 * The record and the adapter contract that every persistence layer implements.
 *
 * Time: every instant is epoch milliseconds and every duration is milliseconds.
 */

/**
 * Status of an idempotency record.
 *
 * @example
 * ```ts
 * if (record.status === IdempotencyRecordStatus.Completed) { … }
 * ```
 */
export const IdempotencyRecordStatus = {
  InProgress: 'IN_PROGRESS',
  Completed: 'COMPLETED',
} as const;

/** One of the values of {@link IdempotencyRecordStatus}. */
export type IdempotencyRecordStatusValue =
  (typeof IdempotencyRecordStatus)[keyof typeof IdempotencyRecordStatus];

/** Results of completed steps, by step name. Values are strings produced by core's serializer. */
export type StepResults = Readonly<Record<string, string>>;

/**
 * A stored idempotency record, as a persistence layer returns it.
 *
 * @example
 * ```ts
 * const record = await persistence.get({ key, now: Date.now() });
 * if (record?.status === 'COMPLETED') console.log(new Date(record.expiresAt));
 * ```
 */
export interface IdempotencyRecord {
  /** `<namespace>#<digest>`, as core built it (without any storage prefix of the adapter). */
  readonly key: string;
  readonly status: IdempotencyRecordStatusValue;
  /** Epoch ms after which the record is treated as absent, whatever its status. */
  readonly expiresAt: number;
  /** Epoch ms after which an IN_PROGRESS claim may be taken over; never later than `expiresAt`. */
  readonly leaseExpiresAt: number;
  /** Random id of the claim's owner; fences late writers. */
  readonly leaseToken: string;
  /** Fingerprint of the request, present when payload validation was on. */
  readonly payloadHash?: string;
  /** The serialized result; present on COMPLETED records only. */
  readonly response?: string;
  /** Results of completed steps; an empty object when there are none. */
  readonly steps: StepResults;
}

/** Arguments of {@link PersistenceLayer.acquire}. */
export interface AcquireRequest {
  readonly key: string;
  readonly leaseToken: string;
  /** Lease length in ms; at least 1 and at most `expiresAfterMs`. */
  readonly leaseMs: number;
  /** Record lifetime in ms, counted from creation; the store's native TTL is set from it. */
  readonly expiresAfterMs: number;
  readonly payloadHash?: string;
  /** Core's clock, epoch ms. A store-clock adapter ignores it. */
  readonly now: number;
}

/**
 * The result of {@link PersistenceLayer.acquire}: the claim, with the steps of a claim it took
 * over, or the record that blocked it.
 */
export type AcquireResult =
  | { readonly acquired: true; readonly steps: StepResults }
  | { readonly acquired: false; readonly record: IdempotencyRecord };

/** Arguments of {@link PersistenceLayer.complete}. */
export interface CompleteRequest {
  readonly key: string;
  readonly leaseToken: string;
  readonly response: string;
  readonly now: number;
}

/** Arguments of {@link PersistenceLayer.release}. */
export interface ReleaseRequest {
  readonly key: string;
  readonly leaseToken: string;
  readonly now: number;
}

/** Arguments of {@link PersistenceLayer.extend}. */
export interface ExtendRequest {
  readonly key: string;
  readonly leaseToken: string;
  /** New lease length in ms, counted from now; the lease never passes the record's expiry. */
  readonly leaseMs: number;
  readonly now: number;
}

/** Arguments of {@link PersistenceLayer.saveStep}. */
export interface SaveStepRequest {
  readonly key: string;
  readonly leaseToken: string;
  readonly name: string;
  readonly result: string;
  readonly now: number;
}

/** Arguments of {@link PersistenceLayer.get}. */
export interface GetRequest {
  readonly key: string;
  readonly now: number;
}

/** Arguments of {@link PersistenceLayer.delete}. */
export interface DeleteRequest {
  readonly key: string;
}

/**
 * Facts about a store that core and the conformance suite adapt to.
 *
 * @example
 * ```ts
 * readonly traits: PersistenceTraits = { clock: 'store', maxRecordBytes: 400_000 };
 * ```
 */
export interface PersistenceTraits {
  /**
   * `caller`: the adapter uses the `now` that core passes. `store`: it uses the store's own clock
   * (Redis `TIME`), so records it returns carry store time.
   */
  readonly clock: 'caller' | 'store';
  /**
   * Largest record the store accepts, in bytes, when it has a limit. The adapter rejects a larger
   * write with `IdempotencySerializationError` before sending it.
   */
  readonly maxRecordBytes?: number;
}

/**
 * The adapter contract. Every method is one round trip and atomic on the store.
 *
 * Rules every adapter keeps:
 * - The lease token is the only fence: `complete`, `release`, `extend` and `saveStep` succeed
 *   while the record holds the caller's token, lapsed lease or not, and return `false` once
 *   another caller has taken it over or the record is gone.
 * - An expired record is absent, whatever the store still holds.
 * - `acquire` takes over an IN_PROGRESS record whose lease lapsed only when its `payloadHash`
 *   matches (or either side has none). It keeps that record's steps and returns them, and it
 *   never returns steps of an expired record. An IN_PROGRESS record holding the caller's own token
 *   counts as acquired and is left as it is; a COMPLETED one never does.
 * - Store failures reject; core wraps them in `IdempotencyPersistenceError`.
 *
 * @example
 * ```ts
 * const layer: PersistenceLayer = new MemoryPersistenceLayer();
 * const claim = await layer.acquire({
 *   key: 'orders#abc', leaseToken: crypto.randomUUID(), leaseMs: 30_000,
 *   expiresAfterMs: 3_600_000, now: Date.now(),
 * });
 * ```
 */
export interface PersistenceLayer {
  readonly traits: PersistenceTraits;
  /** Creates an IN_PROGRESS record, or takes over a lapsed one, or returns the blocking record. */
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /** Sets COMPLETED with the response, keeping `expiresAt`, `payloadHash` and steps. */
  complete(request: CompleteRequest): Promise<boolean>;
  /** Deletes the record, or, when it holds steps, only lapses its lease. */
  release(request: ReleaseRequest): Promise<boolean>;
  /** Renews the lease to `now + leaseMs`, capped at the record's expiry. */
  extend(request: ExtendRequest): Promise<boolean>;
  /** Stores one step's result under the claim. */
  saveStep(request: SaveStepRequest): Promise<boolean>;
  /** Reads a record; a lapsed IN_PROGRESS record is returned as it is, an expired one is not. */
  get(request: GetRequest): Promise<IdempotencyRecord | undefined>;
  /** Deletes a record whatever its state, for manual invalidation. */
  delete(request: DeleteRequest): Promise<void>;
  /** Closes a client the adapter created itself; a no-op for a client it was given. */
  close(): Promise<void>;
}
