import { deriveKey, IdempotencyInProgressError, makeIdempotent, type PersistenceLayer } from '@idemkit/idempotency-core';
import { idempotency } from '@idemkit/idempotency-middy';

import type { ApiEvent } from '../events.ts';
import type { BenchHandler } from '../handler.ts';
import { type EntryOptions, type IdempotentHandler, type LibraryUnderTest, middyHandler } from './library.ts';

/**
 * idemkit on the store behind `createLayer`, with its defaults: the whole event is the key
 * material, and the Lambda context's remaining time is the lease.
 */
export function idemkitLibrary(createLayer: () => PersistenceLayer): LibraryUnderTest {
  let derivations = 0;
  // The default key selector is the whole input; this one returns the same value and counts calls.
  const wholeEvent = (event: ApiEvent): ApiEvent => {
    derivations += 1;
    return event;
  };
  const coreOptions = (options: EntryOptions) => ({
    persistence: createLayer(),
    namespace: options.namespace,
    key: wholeEvent,
    localCache: options.localCacheMaxItems === undefined ? (false as const) : { maxItems: options.localCacheMaxItems },
  });

  return {
    library: 'idemkit',
    wrap: (handler: BenchHandler, options: EntryOptions): IdempotentHandler => makeIdempotent(handler.handle, coreOptions(options)),
    middy: (handler: BenchHandler, options: EntryOptions): IdempotentHandler => middyHandler(handler, idempotency<ApiEvent>(coreOptions(options))),
    keyDeriver: (namespace: string) => (event: ApiEvent) => deriveKey(event, { namespace }),
    isInProgressError: (error: unknown) => IdempotencyInProgressError.is(error),
    keyDerivations: () => derivations,
  };
}
