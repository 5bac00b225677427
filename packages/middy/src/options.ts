import {
  IdempotencyConfigError,
  type IdempotencyOptions,
  type PersistenceLayer,
} from '@idemkit/idempotency-core';
import type { Context } from 'aws-lambda';

/**
 * The longest `Idempotency-Key` accepted by default, in characters (the length Stripe's API
 * allows for its own keys).
 *
 * @example
 * ```ts
 * idempotency({ persistence, http: { maxKeyLength: DEFAULT_MAX_KEY_LENGTH * 2 } });
 * ```
 */
export const DEFAULT_MAX_KEY_LENGTH = 255;

const DEFAULT_KEY_HEADER = 'Idempotency-Key';
const MAX_KEY_LENGTH_LIMIT = 1024;

/**
 * Options of the HTTP mode; `http: true` takes every default.
 *
 * @example
 * ```ts
 * const http: HttpModeOptions = { keyHeader: 'X-Idempotency-Key', maxKeyLength: 64 };
 * idempotency({ persistence, http });
 * ```
 */
export interface HttpModeOptions {
  /** The request header that carries the key, matched case-insensitively. Default `Idempotency-Key`. */
  readonly keyHeader?: string;
  /** Maximum key length, in characters, after unquoting; at most 1024. Default 255. */
  readonly maxKeyLength?: number;
}

/**
 * Creates the persistence layer on the first request, after the middlewares registered before
 * this one have run (for example `@middy/ssm`, which puts the store's credentials on the
 * context). Called again on a later request only if it threw.
 *
 * @example
 * ```ts
 * const persistence: PersistenceFactory = (request) => createStore(request.context.redisUrl);
 * ```
 */
export type PersistenceFactory = (request: PersistenceFactoryRequest) => PersistenceLayer | Promise<PersistenceLayer>;

/**
 * The first Middy request, as a {@link PersistenceFactory} receives it.
 *
 * @example
 * ```ts
 * const persistence = (request: PersistenceFactoryRequest) => RedisPersistenceLayer.fromUrl(String(request.context.redisUrl));
 * ```
 */
export interface PersistenceFactoryRequest {
  readonly event: unknown;
  /** The Lambda context, with the members that earlier middlewares added (`@middy/ssm` with `setToContext`). */
  readonly context: Context & Readonly<Record<string, unknown>>;
  readonly internal: Record<string, unknown>;
}

/**
 * Options of {@link idempotency}: every option of `makeIdempotent`, plus `http`, and a
 * `persistence` that may also be a {@link PersistenceFactory}.
 *
 * @example
 * ```ts
 * const options: IdempotencyMiddlewareOptions = {
 *   persistence: new MemoryPersistenceLayer(),
 *   namespace: 'payments',
 *   http: { maxKeyLength: 64 },
 *   requireKey: true,
 * };
 * ```
 */
export interface IdempotencyMiddlewareOptions<TEvent = unknown> extends Omit<IdempotencyOptions<TEvent>, 'persistence'> {
  /** The store that keeps the records, or a function that creates it on the first request. */
  readonly persistence: PersistenceLayer | PersistenceFactory;
  /**
   * HTTP mode for API Gateway (REST and HTTP APIs), Lambda function URLs and ALB: the key comes
   * from the `Idempotency-Key` header, the fingerprint from method, path and body, outcomes
   * become problem+json responses, and 5xx responses are not stored. Default: off.
   */
  readonly http?: boolean | HttpModeOptions;
}

/**
 * HTTP mode options after validation, as `parseIdempotencyKey` takes them.
 *
 * @example
 * ```ts
 * const mode: ResolvedHttpMode = { keyHeader: 'idempotency-key', maxKeyLength: 255 };
 * ```
 */
export interface ResolvedHttpMode {
  /** Lowercase header name. */
  readonly keyHeader: string;
  readonly maxKeyLength: number;
}

/** Option names that the middleware adds to the core ones. */
export const MIDDLEWARE_OPTION_NAMES: readonly string[] = ['http'];

/** Validates the `http` option; `undefined` means the HTTP mode is off. */
export function resolveHttpMode(http: unknown): ResolvedHttpMode | undefined {
  if (http === undefined || http === false) return undefined;
  if (http === true) return { keyHeader: DEFAULT_KEY_HEADER.toLowerCase(), maxKeyLength: DEFAULT_MAX_KEY_LENGTH };
  if (typeof http !== 'object' || http === null || Array.isArray(http)) {
    throw new IdempotencyConfigError(`http must be true, false or { keyHeader, maxKeyLength }, got ${typeof http}.`);
  }

  for (const name of Object.keys(http)) {
    if (name !== 'keyHeader' && name !== 'maxKeyLength') {
      throw new IdempotencyConfigError(`Unknown option http.${name}; valid options are: keyHeader, maxKeyLength.`);
    }
  }
  const { keyHeader = DEFAULT_KEY_HEADER, maxKeyLength = DEFAULT_MAX_KEY_LENGTH } = http as HttpModeOptions;
  // RFC 9110 field names are tokens: visible ASCII without separators.
  if (typeof keyHeader !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(keyHeader)) {
    throw new IdempotencyConfigError(`http.keyHeader must be an HTTP header name such as "Idempotency-Key", got ${JSON.stringify(keyHeader)}.`);
  }
  if (typeof maxKeyLength !== 'number' || !Number.isSafeInteger(maxKeyLength) || maxKeyLength < 1 || maxKeyLength > MAX_KEY_LENGTH_LIMIT) {
    throw new IdempotencyConfigError(`http.maxKeyLength must be an integer from 1 to ${MAX_KEY_LENGTH_LIMIT}, got ${String(maxKeyLength)}.`);
  }
  return { keyHeader: keyHeader.toLowerCase(), maxKeyLength };
}
