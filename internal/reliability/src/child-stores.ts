import type { PersistenceLayer } from '@idemkit/idempotency-core';

/** A store that a child process can open from a JSON description. */
export type ChildStore = { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string };

/** Opens the store a child process was given. */
export async function openStoreForChild(store: ChildStore): Promise<PersistenceLayer> {
  switch (store.kind) {
    case 'redis': {
      const { RedisPersistenceLayer } = await import('@idemkit/idempotency-redis');
      return RedisPersistenceLayer.fromUrl(store.url, { keyPrefix: store.keyPrefix, logger: false });
    }
  }
}
