import {
  type Claim,
  createLog,
  Idempotency,
  IdempotencyError,
  type IdempotencyLogger,
  type IdempotencyOptions,
  IdempotencyPersistenceError,
  type IdempotencyStart,
  isLambdaContext,
  type PersistenceLayer,
  replayOutcome,
  type StepContext,
} from '@idemkit/idempotency-core';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';

import { keyFromHeader } from './http-key.js';
import { type HttpRequestEvent, requestFingerprint, requestMethod } from './http-request.js';
import { problemResponse, replayedResponse, storedResponse, storeUnlessServerError } from './http-response.js';
import {
  type IdempotencyMiddlewareOptions,
  MIDDLEWARE_OPTION_NAMES,
  type PersistenceFactory,
  type PersistenceFactoryRequest,
  type ResolvedHttpMode,
  resolveHttpMode,
} from './options.js';

/**
 * The claim's view on `context.idempotency`, present while the handler's request owns the claim:
 * the record key and the step runner for resumable steps. Absent when the request runs without
 * idempotency (no key and `requireKey` unset, an `OPTIONS` request in the HTTP mode, or a
 * store failure with `failOpen`).
 *
 * @example
 * ```ts
 * const handler = middy(async (event, context: IdempotentContext) => {
 *   const charge = await context.idempotency?.step('charge', ({ key }) => provider.charge(event, key));
 *   return { statusCode: 201, body: JSON.stringify(charge) };
 * }).use(idempotency({ persistence, http: true }));
 * ```
 */
export interface IdempotencyContext {
  /** The record key, `<namespace>#<digest>`. */
  readonly key: string;
  /**
   * Runs a step and stores its result before returning it. A retry that takes over a failed
   * attempt's claim gets the stored result of every step that completed, without running those
   * steps again, and goes on with the next one.
   */
  step<T>(name: string, fn: (context: StepContext) => T | Promise<T>): Promise<T>;
}

/**
 * The Lambda context as the handler receives it behind the middleware.
 *
 * @example
 * ```ts
 * const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, IdempotentContext>()
 *   .use(idempotency({ persistence, http: true }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: context.idempotency?.key ?? '' }));
 * ```
 */
export type IdempotentContext = Context & { idempotency?: IdempotencyContext };

type MiddyRequest<TEvent> = Request<TEvent, unknown, Error, IdempotentContext>;

// Per-request state lives in request.internal under this name.
const STATE = '@idemkit/idempotency-middy';

interface RequestState {
  claim?: Claim;
  settled: boolean;
  /** An error that this middleware raised: rendered as a problem response in the HTTP mode. */
  raised?: unknown;
}

/**
 * Middy middleware that makes a handler idempotent. The first request with a key runs the
 * handler, and `after` stores its response. A repeat gets the stored response back through
 * `request.earlyResponse`, so the handler does not run again even when it returned `undefined`.
 * `onError` releases the claim so that a retry runs again. Neither phase touches the store
 * unless this request acquired the claim: a rejected duplicate, a payload mismatch, or a
 * middleware that failed before this one leaves every record as it was.
 *
 * Takes the options of `makeIdempotent`. The lease is the context's remaining time and the
 * namespace defaults to the Lambda function name. With `http`, the key comes from the
 * `Idempotency-Key` header and outcomes become HTTP responses (see the README's outcomes table).
 *
 * Register it after every middleware that can respond early in its `before` phase. Middy skips
 * every `after` and `onError` phase on an early response, so a claim taken before such a
 * response would only be freed when its lease lapses.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';
 * import { idempotency } from '@idemkit/idempotency-middy';
 *
 * export const handler = middy(async (event: { orderId: string }) => ({ shipped: event.orderId }))
 *   .use(idempotency({ persistence: new MemoryPersistenceLayer(), key: (event) => event.orderId }));
 * ```
 */
export function idempotency<TEvent = unknown>(
  options: IdempotencyMiddlewareOptions<TEvent>,
): MiddlewareObj<TEvent, unknown, Error, IdempotentContext> {
  const http = resolveHttpMode(options.http);
  const engine = engineSource(options, http);
  if (http !== undefined && options.scope === undefined) warnWithoutScope(options.logger);

  const idempotencyBefore = async (request: MiddyRequest<TEvent>): Promise<void> => {
    const state: RequestState = { settled: false };
    statesOf(request, true)?.set(request, state);
    delete request.context.idempotency;
    if (http !== undefined && requestMethod(request.event as HttpRequestEvent) === 'OPTIONS') return;

    let start: IdempotencyStart;
    try {
      start = await (await engine(request as unknown as PersistenceFactoryRequest)).begin(request.event, isLambdaContext(request.context) ? request.context : undefined);
    } catch (error) {
      state.raised = error;
      throw error;
    }

    if (start.status === 'bypass') return;
    if (start.status === 'claimed') {
      state.claim = start.claim;
      request.context.idempotency = idempotencyContext(start.claim);
      return;
    }
    // A stored error is thrown again here and reaches the onError phases like the first one did.
    const result = replayOutcome(start.outcome);
    request.earlyResponse = http === undefined ? result : replayedResponse(result);
  };

  const idempotencyAfter = async (request: MiddyRequest<TEvent>): Promise<void> => {
    const state = stateOf(request);
    if (state?.claim === undefined || state.settled) return;

    state.settled = true;
    try {
      await state.claim.complete(http === undefined ? request.response : storedResponse(request.response));
    } catch (error) {
      state.raised = error;
      throw error;
    }
  };

  const idempotencyOnError = async (request: MiddyRequest<TEvent>): Promise<void> => {
    const state = stateOf(request);
    if (state === undefined) return;

    if (state.claim !== undefined && !state.settled) {
      state.settled = true;
      await state.claim.fail(request.error);
    }
    // Our own rejections get our response even when an error handler registered inside this
    // middleware already rendered them, so that the order of the two never changes the response.
    if (http !== undefined && state.raised !== undefined) {
      request.response = problemResponse(state.raised, request.event as HttpRequestEvent);
    }
  };

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError };
}

/**
 * Warns once, when the middleware is created, that records are shared by every caller: any
 * client that sends another client's Idempotency-Key gets that client's stored response.
 */
function warnWithoutScope(logger: IdempotencyLogger | false | undefined): void {
  createLog(logger).warn(
    'HTTP mode without a scope: a client that sends another client\'s Idempotency-Key receives that client\'s stored response. Set scope to the caller\'s tenant or principal, for example scope: (event) => event.requestContext.authorizer?.principalId.',
  );
}

/**
 * Returns the request states kept in `request.internal`, keyed by request. Middy 6 shares one
 * `internal` object between requests when the plugin option `internal` is set, so a concurrent
 * request on a server must never find another request's state under a plain key.
 */
function statesOf(request: { readonly internal: unknown }, create = false): WeakMap<object, RequestState> | undefined {
  const internal = request.internal as Record<string, WeakMap<object, RequestState> | undefined> | undefined;
  if (internal === undefined || internal === null) return undefined;
  if (create) internal[STATE] ??= new WeakMap();
  return internal[STATE];
}

function stateOf(request: { readonly internal: unknown }): RequestState | undefined {
  return statesOf(request)?.get(request);
}

function idempotencyContext(claim: Claim): IdempotencyContext {
  return { key: claim.key, step: (name, fn) => claim.step(name, fn) };
}

/**
 * Returns the engine for a request. With a layer, the engine is built now. With a factory, the
 * options are validated now and the engine is built on the first request. A factory that throws
 * is called again on the next request.
 */
function engineSource<TEvent>(
  options: IdempotencyMiddlewareOptions<TEvent>,
  http: ResolvedHttpMode | undefined,
): (request: PersistenceFactoryRequest) => Idempotency<TEvent> | Promise<Idempotency<TEvent>> {
  const build = (persistence: PersistenceLayer): Idempotency<TEvent> =>
    new Idempotency<TEvent>(coreOptions(options, persistence, http), undefined, MIDDLEWARE_OPTION_NAMES);

  const { persistence } = options;
  if (typeof persistence !== 'function') {
    const ready = build(persistence);
    return () => ready;
  }

  build(VALIDATION_ONLY_LAYER);
  let pending: Promise<Idempotency<TEvent>> | undefined;
  return (request) => {
    pending ??= createPersistence(persistence, request).then(build);
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
}

async function createPersistence(factory: PersistenceFactory, request: PersistenceFactoryRequest): Promise<PersistenceLayer> {
  try {
    return await factory(request);
  } catch (error) {
    if (IdempotencyError.is(error)) throw error;
    throw new IdempotencyPersistenceError(`The persistence factory failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/** Builds the core options: the HTTP mode fills in the key, the fingerprint and `storeResult` unless given. */
function coreOptions<TEvent>(
  options: IdempotencyMiddlewareOptions<TEvent>,
  persistence: PersistenceLayer,
  http: ResolvedHttpMode | undefined,
): IdempotencyOptions<TEvent> {
  if (http === undefined) return { ...options, persistence };
  return {
    ...options,
    persistence,
    key: options.key ?? keyFromHeader(http),
    payload: options.payload ?? requestFingerprint,
    storeResult: options.storeResult ?? storeUnlessServerError,
  };
}

const notCalled = (): never => {
  throw new Error('unreachable: this layer only lets the options be validated before the real one exists');
};

// Stands in for a factory's layer while the other options are validated; never called.
const VALIDATION_ONLY_LAYER: PersistenceLayer = {
  traits: { clock: 'caller' },
  acquire: notCalled,
  complete: notCalled,
  release: notCalled,
  extend: notCalled,
  saveStep: notCalled,
  get: notCalled,
  delete: notCalled,
  close: notCalled,
};
