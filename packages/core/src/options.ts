import { IdempotencyConfigError } from './errors.js';
import type { LambdaContextLike } from './lambda-context.js';
import { createLog, type IdempotencyLogger, type Log } from './logger.js';
import type { IdempotencyOutcome } from './outcome.js';
import { defaultSerializer, type ResultSerializer } from './serializer.js';
import type { PersistenceLayer } from './types.js';

/**
 * Picks a value out of a call's input. Its result is canonicalized and hashed; `undefined` or
 * `null` from a key selector means the call has no key.
 *
 * @example
 * ```ts
 * const byOrderId: Selector<{ orderId: string }> = (input) => input.orderId;
 * ```
 */
export type Selector<TInput = unknown> = (input: TInput, context: LambdaContextLike | undefined) => unknown;

/** Polling of a claim that is in progress, instead of failing at once. */
export interface InProgressWaitOptions {
  /** Maximum total wait, in ms, before the call fails with `IdempotencyInProgressError`. */
  readonly maxWaitMs: number;
  /** First pause between polls, in ms; doubled after each poll. Default 50. */
  readonly initialIntervalMs?: number;
  /** Maximum pause between polls, in ms. Default 1000. */
  readonly maxIntervalMs?: number;
}

/** The local cache of completed results, kept in the process. */
export interface LocalCacheOptions {
  /** Most records kept; the least recently used is dropped first. */
  readonly maxItems: number;
}

/**
 * Options of `makeIdempotent` and of the Middy middleware.
 *
 * @example
 * ```ts
 * const options: IdempotencyOptions<OrderEvent> = {
 *   persistence: new MemoryPersistenceLayer(),
 *   key: (event) => event.orderId,
 *   payload: (event) => event.items,
 *   expiresAfterSeconds: 3600,
 * };
 * ```
 */
export interface IdempotencyOptions<TInput = unknown> {
  /** The store of the records. */
  readonly persistence: PersistenceLayer;
  /** Key material. Default: the whole input. */
  readonly key?: Selector<TInput>;
  /** Fingerprint for payload validation: a repeat whose fingerprint differs is rejected. Default: off. */
  readonly payload?: Selector<TInput>;
  /** Tenant or principal; part of the key, so one scope never replays another's result. */
  readonly scope?: Selector<TInput>;
  /**
   * Prefix of every record key. Default: the Lambda function name, plus the wrapped function's
   * name for `makeIdempotent`. Set it explicitly: bundlers can rename functions.
   */
  readonly namespace?: string;
  /** How long a record lives, in seconds, from its creation. Default 3600. */
  readonly expiresAfterSeconds?: number;
  /** Lease in ms when the call has no Lambda context. Default 60000. */
  readonly leaseMs?: number;
  /** Throw `IdempotencyKeyMissingError` when there is no key, instead of running without idempotency. */
  readonly requireKey?: boolean;
  /** Serve replays of completed records from the process, with no store round trip. Default: off. */
  readonly localCache?: LocalCacheOptions | false;
  /** The serializer of stored results. Default: {@link defaultSerializer}. */
  readonly serializer?: ResultSerializer;
  /** The logger of warnings and errors; `false` silences them. Default: the console, prefixed `[idemkit]`. */
  readonly logger?: IdempotencyLogger | false;
  /** Epoch ms now; for tests. Default `Date.now`. */
  readonly clock?: () => number;
  /** Observes every outcome; exceptions it throws are logged and ignored. */
  readonly onOutcome?: (outcome: IdempotencyOutcome) => void;
  /** Wait for an in-progress claim to finish instead of failing at once. Default: fail at once. */
  readonly inProgressWait?: InProgressWaitOptions | false;
  /** Run the function without idempotency when the store fails. Default false: fail closed. */
  readonly failOpen?: boolean;
  /** Errors for which this returns true are stored like results, and replays throw them again. */
  readonly storeErrors?: (error: unknown) => boolean;
  /** Results for which this returns false are not stored; the claim is released. Default: store all. */
  readonly storeResult?: (result: unknown) => boolean;
  /** Renew the lease every this many ms while the function runs; must be less than the lease. */
  readonly heartbeatMs?: number;
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions<TInput = unknown> {
  readonly persistence: PersistenceLayer;
  readonly key: Selector<TInput> | undefined;
  readonly payload: Selector<TInput> | undefined;
  readonly scope: Selector<TInput> | undefined;
  readonly namespace: string | undefined;
  readonly expiresAfterMs: number;
  readonly leaseMs: number;
  readonly requireKey: boolean;
  readonly localCache: LocalCacheOptions | false;
  readonly serializer: ResultSerializer;
  readonly log: Log;
  readonly clock: () => number;
  readonly onOutcome: ((outcome: IdempotencyOutcome) => void) | undefined;
  readonly inProgressWait: Required<InProgressWaitOptions> | false;
  readonly failOpen: boolean;
  readonly storeErrors: ((error: unknown) => boolean) | undefined;
  readonly storeResult: ((result: unknown) => boolean) | undefined;
  readonly heartbeatMs: number | undefined;
}

const DEFAULT_EXPIRES_AFTER_SECONDS = 3600;
const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_WAIT_INITIAL_INTERVAL_MS = 50;
const DEFAULT_WAIT_MAX_INTERVAL_MS = 1000;
const MAX_NAMESPACE_LENGTH = 256;

const OPTION_NAMES: readonly string[] = [
  'persistence', 'key', 'payload', 'scope', 'namespace', 'expiresAfterSeconds', 'leaseMs', 'requireKey',
  'localCache', 'serializer', 'logger', 'clock', 'onOutcome', 'inProgressWait', 'failOpen', 'storeErrors',
  'storeResult', 'heartbeatMs',
] satisfies (keyof IdempotencyOptions)[];

const PERSISTENCE_METHODS = ['acquire', 'complete', 'release', 'extend', 'saveStep', 'get', 'delete', 'close'] as const;

/**
 * Validates options once, up front, and applies the defaults. Unknown keys are rejected.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ persistence, expiresAfterSeconds: 600 });
 * resolved.expiresAfterMs; // 600000
 * ```
 */
export function resolveOptions<TInput>(options: IdempotencyOptions<TInput>, extraNames: readonly string[] = []): ResolvedOptions<TInput> {
  if (typeof options !== 'object' || options === null) {
    throw new IdempotencyConfigError(`options must be an object with at least { persistence }, got ${describeValue(options)}.`);
  }
  rejectUnknownKeys('options', options, [...OPTION_NAMES, ...extraNames]);
  checkPersistence(options.persistence);

  const expiresAfterSeconds = positiveInteger('expiresAfterSeconds', options.expiresAfterSeconds, DEFAULT_EXPIRES_AFTER_SECONDS);
  const leaseMs = positiveInteger('leaseMs', options.leaseMs, DEFAULT_LEASE_MS);
  const heartbeatMs = options.heartbeatMs === undefined ? undefined : positiveInteger('heartbeatMs', options.heartbeatMs);
  if (heartbeatMs !== undefined && heartbeatMs >= leaseMs) {
    throw new IdempotencyConfigError(
      `heartbeatMs must be less than leaseMs (${leaseMs}), got ${heartbeatMs}; renew the lease well before it lapses, for example every leaseMs / 3.`,
    );
  }

  return {
    persistence: options.persistence,
    key: optionalFunction('key', options.key),
    payload: optionalFunction('payload', options.payload),
    scope: optionalFunction('scope', options.scope),
    namespace: checkNamespace(options.namespace),
    expiresAfterMs: expiresAfterSeconds * 1000,
    leaseMs,
    requireKey: optionalBoolean('requireKey', options.requireKey),
    localCache: checkLocalCache(options.localCache),
    serializer: checkSerializer(options.serializer),
    log: createLog(checkLogger(options.logger)),
    clock: optionalFunction('clock', options.clock) ?? Date.now,
    onOutcome: optionalFunction('onOutcome', options.onOutcome),
    inProgressWait: checkInProgressWait(options.inProgressWait),
    failOpen: optionalBoolean('failOpen', options.failOpen),
    storeErrors: optionalFunction('storeErrors', options.storeErrors),
    storeResult: optionalFunction('storeResult', options.storeResult),
    heartbeatMs,
  };
}

/**
 * Rejects keys of an options object that are not in `allowed`, listing the valid ones. For
 * adapters that validate their own options the way core does.
 *
 * @example
 * ```ts
 * rejectUnknownKeys('RedisPersistenceLayer options', options, ['keyPrefix', 'logger']);
 * ```
 */
export function rejectUnknownKeys(label: string, value: object, allowed: readonly string[]): void {
  for (const name of Object.keys(value)) {
    if (allowed.includes(name)) continue;
    throw new IdempotencyConfigError(`Unknown option ${label}.${name}; valid options are: ${allowed.join(', ')}.`);
  }
}

/**
 * Renders a received value for an error message: short, and never a whole payload.
 *
 * @example
 * ```ts
 * throw new IdempotencyConfigError(`keyPrefix must be a string, got ${describeValue(options.keyPrefix)}.`);
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Checks a positive integer option; without a fallback the option is required. */
function positiveInteger(name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new IdempotencyConfigError(`${name} must be a positive integer, got ${describeValue(value)}.`);
}

function optionalBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new IdempotencyConfigError(`${name} must be true or false, got ${describeValue(value)}.`);
}

function optionalFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value === undefined || typeof value === 'function') return value;
  throw new IdempotencyConfigError(`${name} must be a function, got ${describeValue(value)}.`);
}

function checkPersistence(persistence: unknown): void {
  if (typeof persistence !== 'object' || persistence === null) {
    throw new IdempotencyConfigError(
      `persistence is required: pass a persistence layer such as new MemoryPersistenceLayer(), got ${describeValue(persistence)}.`,
    );
  }
  for (const method of PERSISTENCE_METHODS) {
    if (typeof (persistence as Record<string, unknown>)[method] !== 'function') {
      throw new IdempotencyConfigError(`persistence must implement PersistenceLayer, but its ${method} is ${describeValue((persistence as Record<string, unknown>)[method])}.`);
    }
  }
  const clock = (persistence as { traits?: { clock?: unknown } }).traits?.clock;
  if (clock !== 'caller' && clock !== 'store') {
    throw new IdempotencyConfigError(`persistence.traits.clock must be "caller" or "store", got ${describeValue(clock)}.`);
  }
}

function checkNamespace(namespace: unknown): string | undefined {
  if (namespace === undefined) return undefined;
  if (
    typeof namespace !== 'string' ||
    namespace === '' ||
    namespace.length > MAX_NAMESPACE_LENGTH ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
    /[\u0000-\u001f\u007f]/.test(namespace)
  ) {
    throw new IdempotencyConfigError(
      `namespace must be a non-empty string of at most ${MAX_NAMESPACE_LENGTH} characters without control characters, got ${describeValue(namespace)}.`,
    );
  }
  return namespace;
}

function checkLocalCache(localCache: unknown): LocalCacheOptions | false {
  if (localCache === undefined || localCache === false) return false;
  if (typeof localCache !== 'object' || localCache === null) {
    throw new IdempotencyConfigError(`localCache must be false or { maxItems }, got ${describeValue(localCache)}.`);
  }
  rejectUnknownKeys('localCache', localCache, ['maxItems']);
  return { maxItems: positiveInteger('localCache.maxItems', (localCache as { maxItems?: unknown }).maxItems) };
}

function checkSerializer(serializer: unknown): ResultSerializer {
  if (serializer === undefined) return defaultSerializer;
  const candidate = serializer as Partial<ResultSerializer> | null;
  if (typeof candidate?.serialize !== 'function' || typeof candidate.deserialize !== 'function') {
    throw new IdempotencyConfigError(`serializer must have serialize(value) and deserialize(text) methods, got ${describeValue(serializer)}.`);
  }
  return serializer as ResultSerializer;
}

function checkLogger(logger: unknown): IdempotencyLogger | false | undefined {
  if (logger === undefined || logger === false) return logger;
  const candidate = logger as Partial<IdempotencyLogger> | null;
  if (typeof candidate?.warn !== 'function' || typeof candidate.error !== 'function') {
    throw new IdempotencyConfigError(`logger must be false or have warn and error methods (console, pino and the Powertools Logger do), got ${describeValue(logger)}.`);
  }
  return logger as IdempotencyLogger;
}

function checkInProgressWait(wait: unknown): Required<InProgressWaitOptions> | false {
  if (wait === undefined || wait === false) return false;
  if (typeof wait !== 'object' || wait === null) {
    throw new IdempotencyConfigError(`inProgressWait must be false or { maxWaitMs }, got ${describeValue(wait)}.`);
  }
  rejectUnknownKeys('inProgressWait', wait, ['maxWaitMs', 'initialIntervalMs', 'maxIntervalMs']);
  const options = wait as Partial<InProgressWaitOptions>;
  return {
    maxWaitMs: positiveInteger('inProgressWait.maxWaitMs', options.maxWaitMs),
    initialIntervalMs: positiveInteger('inProgressWait.initialIntervalMs', options.initialIntervalMs, DEFAULT_WAIT_INITIAL_INTERVAL_MS),
    maxIntervalMs: positiveInteger('inProgressWait.maxIntervalMs', options.maxIntervalMs, DEFAULT_WAIT_MAX_INTERVAL_MS),
  };
}
