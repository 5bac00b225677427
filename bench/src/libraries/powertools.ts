import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';

import type { ApiEvent } from '../events.ts';
import type { BenchHandler } from '../handler.ts';
import { type EntryOptions, type IdempotentHandler, type LibraryUnderTest, middyHandler } from './library.ts';

/** The protected method of `BasePersistenceLayer` that derives a record key from the key material. */
interface KeyDerivingLayer {
  getHashedIdempotencyKey(data: unknown): string;
}

/**
 * Powertools idempotency on the layer that `createLayer` returns, with its defaults: no
 * `eventKeyJmesPath` (the whole event is the key material), MD5 keys, and the Lambda context's
 * remaining time as the in-progress expiry.
 */
export function powertoolsLibrary(createLayer: () => BasePersistenceLayer): LibraryUnderTest {
  let derivations = 0;
  const countedLayer = (): BasePersistenceLayer => {
    const layer = createLayer();
    const exposed = layer as unknown as KeyDerivingLayer;
    const derive = exposed.getHashedIdempotencyKey.bind(layer);
    // Counts key derivations, because Powertools derives the key again in each persistence step of a call.
    exposed.getHashedIdempotencyKey = (data: unknown) => {
      derivations += 1;
      return derive(data);
    };
    return layer;
  };
  const config = (options: EntryOptions): IdempotencyConfig =>
    new IdempotencyConfig(
      options.localCacheMaxItems === undefined ? {} : { useLocalCache: true, maxLocalCacheSize: options.localCacheMaxItems },
    );

  return {
    library: 'Powertools',
    wrap: (handler: BenchHandler, options: EntryOptions): IdempotentHandler =>
      makeIdempotent(handler.handle, { persistenceStore: countedLayer(), config: config(options), keyPrefix: options.namespace }) as IdempotentHandler,
    middy: (handler: BenchHandler, options: EntryOptions): IdempotentHandler =>
      middyHandler(handler, makeHandlerIdempotent({ persistenceStore: countedLayer(), config: config(options), keyPrefix: options.namespace })),
    keyDeriver: (namespace: string) => {
      const layer = createLayer();
      layer.configure({ config: new IdempotencyConfig({}), keyPrefix: namespace });
      const exposed = layer as unknown as KeyDerivingLayer;
      return (event: ApiEvent) => exposed.getHashedIdempotencyKey(event);
    },
    isInProgressError: (error: unknown) => error instanceof Error && error.name === 'IdempotencyAlreadyInProgressError',
    keyDerivations: () => derivations,
  };
}
