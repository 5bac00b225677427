import middy, { type MiddlewareObj } from '@middy/core';

import type { ApiEvent, BenchContext } from '../events.ts';
import type { BenchHandler } from '../handler.ts';

/** A handler made idempotent by one library: the same signature as the Lambda handler. */
export type IdempotentHandler = (event: ApiEvent, context: BenchContext) => Promise<unknown>;

export type LibraryName = 'idemkit' | 'Powertools';

/** Settings of one entry point; both libraries get the same values. */
export interface EntryOptions {
  /** Key prefix: idemkit's `namespace`, Powertools' `keyPrefix`. */
  readonly namespace: string;
  /** Local cache of completed records with this many items; no local cache when left out. */
  readonly localCacheMaxItems?: number;
}

/**
 * One library on one store. Every entry point gets a new persistence layer from the store,
 * because a Powertools layer keeps the configuration of the first handler that used it.
 */
export interface LibraryUnderTest {
  readonly library: LibraryName;
  /** The wrapper: idemkit's `makeIdempotent`, or Powertools' `makeIdempotent`. */
  wrap(handler: BenchHandler, options: EntryOptions): IdempotentHandler;
  /** A Middy handler with the library's middleware: idemkit's `idempotency()`, or Powertools' `makeHandlerIdempotent`. */
  middy(handler: BenchHandler, options: EntryOptions): IdempotentHandler;
  /** The library's own key derivation for `namespace`, as its entry points run it; idemkit's is asynchronous. */
  keyDeriver(namespace: string): (event: ApiEvent) => unknown;
  /** True for the error a library raises for a call whose key another call holds. */
  isInProgressError(error: unknown): boolean;
  /** Key derivations that the entry points made so far (idemkit: key selector calls; Powertools: `getHashedIdempotencyKey` calls). */
  keyDerivations(): number;
}

/** Wraps the handler in Middy with one middleware; the middleware's own context type is not checked. */
export function middyHandler(handler: BenchHandler, middleware: object): IdempotentHandler {
  const wrapped = middy<ApiEvent, unknown, Error, BenchContext>(handler.handle).use(middleware as MiddlewareObj<ApiEvent, unknown, Error, BenchContext>);
  return (event, context) => wrapped(event, context);
}
