import type { PersistenceLayer } from '@idemkit/idempotency-core';

/** A shared store that a child process can open from a JSON description. */
export type ChildStore =
  | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly { readonly host: string; readonly port: number }[]; readonly keyPrefix: string }
  | { readonly kind: 'dynamodb'; readonly endpoint: string; readonly tableName: string }
  | { readonly kind: 'upstash'; readonly url: string; readonly token: string; readonly keyPrefix: string };

/** Opens the store a child process was given, with the same packages the tests use. */
export async function openStoreForChild(store: ChildStore): Promise<PersistenceLayer> {
  switch (store.kind) {
    case 'redis': {
      const { RedisPersistenceLayer } = await import('@idemkit/idempotency-redis');
      return RedisPersistenceLayer.fromUrl(store.url, { keyPrefix: store.keyPrefix, logger: false });
    }
    case 'cluster': {
      const [{ RedisPersistenceLayer }, { Cluster }] = await Promise.all([import('@idemkit/idempotency-redis'), import('ioredis')]);
      const client = new Cluster([...store.nodes], { redisOptions: { maxRetriesPerRequest: 1 } });
      const layer = new RedisPersistenceLayer(client, { keyPrefix: store.keyPrefix });
      return Object.assign(layer, { close: async () => void (await client.quit()) });
    }
    case 'dynamodb': {
      const { DynamoDBPersistenceLayer } = await import('@idemkit/idempotency-dynamodb');
      return DynamoDBPersistenceLayer.fromConfig(
        { endpoint: store.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
        { tableName: store.tableName },
      );
    }
    case 'upstash': {
      const { UpstashPersistenceLayer } = await import('@idemkit/idempotency-upstash-rest');
      return UpstashPersistenceLayer.fromEnv({ keyPrefix: store.keyPrefix, env: { UPSTASH_REDIS_REST_URL: store.url, UPSTASH_REDIS_REST_TOKEN: store.token } });
    }
  }
}
