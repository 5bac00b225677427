/**
 * The errors of idemkit. All extend {@link IdempotencyError}, carry a stable `code`, and can be
 * recognised with the static `is()` even when two copies of the package (ESM and CJS) are loaded.
 */

// Marks idemkit errors across package copies; Symbol.for returns the same symbol in every copy.
const brand = Symbol.for('idemkit.IdempotencyError');

/** Stable machine-readable codes, one per error class. */
export type IdempotencyErrorCode =
  | 'IDEMPOTENCY_ERROR'
  | 'IN_PROGRESS'
  | 'PAYLOAD_MISMATCH'
  | 'KEY_MISSING'
  | 'KEY_INVALID'
  | 'PERSISTENCE'
  | 'SERIALIZATION'
  | 'LEASE_LOST'
  | 'CONFIG';

/** Options shared by every idemkit error. */
export interface IdempotencyErrorOptions {
  readonly cause?: unknown;
  /** The record key involved, when there is one. */
  readonly key?: string;
}

/**
 * Base class of every idemkit error.
 *
 * `statusCode` and `expose` follow the convention of `@middy/http-error-handler`, so an error that
 * reaches it becomes the matching HTTP response.
 *
 * @example
 * ```ts
 * try {
 *   await chargeIdempotently(event);
 * } catch (error) {
 *   if (IdempotencyInProgressError.is(error)) return retryLater(error.retryAfterSeconds);
 *   if (IdempotencyError.is(error)) console.error(error.code);
 *   throw error;
 * }
 * ```
 */
export class IdempotencyError extends Error {
  static readonly code: IdempotencyErrorCode = 'IDEMPOTENCY_ERROR';

  readonly code: IdempotencyErrorCode;
  readonly statusCode: number = 500;
  readonly expose: boolean = false;
  readonly key: string | undefined;

  constructor(message: string, options: IdempotencyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof IdempotencyError).code;
    this.key = options.key;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * Tells whether `error` is an error of this class, also when it comes from another copy of
   * the package (an ESM and a CJS build loaded together), where `instanceof` fails.
   *
   * @example
   * ```ts
   * if (IdempotencyPayloadMismatchError.is(error)) return { statusCode: 422 };
   * ```
   */
  static is<T>(
    this: { readonly code: IdempotencyErrorCode; readonly prototype: T },
    error: unknown,
  ): error is T {
    if (typeof error !== 'object' || error === null) return false;
    if ((error as { [brand]?: unknown })[brand] !== true) return false;
    return this.code === IdempotencyError.code || (error as IdempotencyError).code === this.code;
  }
}

/** Options of {@link IdempotencyInProgressError}. */
export interface IdempotencyInProgressErrorOptions extends IdempotencyErrorOptions {
  /** How long until the blocking claim's lease lapses, in ms; 0 when it already has. */
  readonly retryAfterMs: number;
}

/**
 * A call found the same request still running under another claim.
 *
 * @example
 * ```ts
 * if (IdempotencyInProgressError.is(error)) {
 *   return { statusCode: 409, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
 * }
 * ```
 */
export class IdempotencyInProgressError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'IN_PROGRESS';

  override readonly statusCode: number = 409;
  override readonly expose: boolean = true;
  readonly retryAfterMs: number;
  /** `retryAfterMs` rounded up to whole seconds, at least 1, as the `Retry-After` header wants. */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: IdempotencyInProgressErrorOptions) {
    super(message, options);
    this.retryAfterMs = Math.max(0, options.retryAfterMs);
    this.retryAfterSeconds = Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/**
 * The key was used before with a different payload.
 *
 * @example
 * ```ts
 * if (IdempotencyPayloadMismatchError.is(error)) return { statusCode: 422 };
 * ```
 */
export class IdempotencyPayloadMismatchError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'PAYLOAD_MISMATCH';

  override readonly statusCode: number = 422;
  override readonly expose: boolean = true;
}

/**
 * The key selector found no key and `requireKey` is set.
 *
 * @example
 * ```ts
 * if (IdempotencyKeyMissingError.is(error)) return { statusCode: 400 };
 * ```
 */
export class IdempotencyKeyMissingError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'KEY_MISSING';

  override readonly statusCode: number = 400;
  override readonly expose: boolean = true;
}

/**
 * The key or payload material cannot be turned into a key: a malformed idempotency key, a body
 * that is not JSON, or a value with no canonical form (BigInt, a cycle, a function).
 *
 * @example
 * ```ts
 * if (IdempotencyKeyInvalidError.is(error)) return { statusCode: 400, body: error.message };
 * ```
 */
export class IdempotencyKeyInvalidError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'KEY_INVALID';

  override readonly statusCode: number = 400;
  override readonly expose: boolean = true;
}

/**
 * The store failed or could not be reached. The store's own error is kept as `cause`.
 *
 * @example
 * ```ts
 * if (IdempotencyPersistenceError.is(error)) logger.error('store down', { cause: error.cause });
 * ```
 */
export class IdempotencyPersistenceError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'PERSISTENCE';

  override readonly statusCode: number = 503;
}

/** The reason a value could not be stored. */
export type SerializationFailure = 'unserializable' | 'unreadable' | 'too-large';

/** Options of {@link IdempotencySerializationError}. */
export interface IdempotencySerializationErrorOptions extends IdempotencyErrorOptions {
  readonly reason: SerializationFailure;
  /** Size of the rejected record in bytes, for `too-large`. */
  readonly sizeBytes?: number;
  /** The store's limit in bytes, for `too-large`. */
  readonly limitBytes?: number;
}

/**
 * A result or step result could not be stored: the serializer rejected it, or the record would
 * pass the store's size limit. Nothing was stored and the claim was released.
 *
 * @example
 * ```ts
 * if (IdempotencySerializationError.is(error) && error.reason === 'too-large') { … }
 * ```
 */
export class IdempotencySerializationError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'SERIALIZATION';

  readonly reason: SerializationFailure;
  readonly sizeBytes: number | undefined;
  readonly limitBytes: number | undefined;

  constructor(message: string, options: IdempotencySerializationErrorOptions) {
    super(message, options);
    this.reason = options.reason;
    this.sizeBytes = options.sizeBytes;
    this.limitBytes = options.limitBytes;
  }
}

/**
 * Another caller took this call's claim over after its lease lapsed, so this call can no longer
 * store step results. Raised by `step()`, so that a stale worker stops before it does more work
 * that the new owner will do again.
 *
 * @example
 * ```ts
 * if (IdempotencyLeaseLostError.is(error)) logger.warn('lease lost; set heartbeatMs or a longer lease');
 * ```
 */
export class IdempotencyLeaseLostError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'LEASE_LOST';

  override readonly statusCode: number = 409;
  override readonly expose: boolean = true;
}

/**
 * An option is invalid. The message names the option, the value received and the fix.
 *
 * @example
 * ```ts
 * // IdempotencyConfigError: expiresAfterSeconds must be a positive integer, got -5.
 * makeIdempotent(fn, { persistence, expiresAfterSeconds: -5 });
 * ```
 */
export class IdempotencyConfigError extends IdempotencyError {
  static override readonly code: IdempotencyErrorCode = 'CONFIG';
}
