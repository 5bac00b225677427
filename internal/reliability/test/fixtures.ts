import type { PersistenceLayer } from '@idemkit/idempotency-core';
import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { UpstashPersistenceLayer } from '@idemkit/idempotency-upstash-rest';
import { startRedisCluster } from '@idemkit/test-support';
import { startUpstashRestServer } from '@idemkit/upstash-rest-server';
import { Cluster } from 'ioredis';

import type { ChildStore } from '../src/index.ts';
import { createDynamoTable, deleteRedisKeys, sharedRedisUrl } from './stores.ts';

/** The stores that several processes can share. */
export const SHARED_STORES = ['redis', 'cluster', 'dynamodb', 'upstash'] as const;
export type SharedStore = (typeof SHARED_STORES)[number];

/** An open shared store: a layer for this process, and how a child process opens the same. */
export interface StoreFixture {
  readonly layer: PersistenceLayer;
  readonly child: ChildStore;
  close(): Promise<void>;
}

/** Opens a shared store on loopback, under a random key prefix or table. */
export async function openFixture(kind: SharedStore, dynamodbEndpoint: string): Promise<StoreFixture> {
  const keyPrefix = `reliability-${crypto.randomUUID()}:`;
  switch (kind) {
    case 'redis': {
      const layer = RedisPersistenceLayer.fromUrl(sharedRedisUrl(), { keyPrefix, logger: false });
      return {
        layer,
        child: { kind, url: sharedRedisUrl(), keyPrefix },
        async close() {
          await layer.close();
          await deleteRedisKeys(keyPrefix);
        },
      };
    }
    case 'cluster': {
      const cluster = await startRedisCluster({ masters: 3 });
      const client = new Cluster([...cluster.nodes], { redisOptions: { maxRetriesPerRequest: 1 } });
      return {
        layer: new RedisPersistenceLayer(client, { keyPrefix }),
        child: { kind, nodes: cluster.nodes, keyPrefix },
        async close() {
          await client.quit();
          await cluster.stop();
        },
      };
    }
    case 'dynamodb': {
      const table = await createDynamoTable(dynamodbEndpoint);
      return { layer: table.layer, child: { kind, endpoint: dynamodbEndpoint, tableName: table.tableName }, close: () => table.drop() };
    }
    case 'upstash': {
      const server = await startUpstashRestServer({ redisUrl: sharedRedisUrl(), rejectRedis7Syntax: true });
      const layer = UpstashPersistenceLayer.fromEnv({ keyPrefix, env: { UPSTASH_REDIS_REST_URL: server.url, UPSTASH_REDIS_REST_TOKEN: server.token } });
      return {
        layer,
        child: { kind, url: server.url, token: server.token, keyPrefix },
        async close() {
          await server.close();
          await deleteRedisKeys(keyPrefix);
        },
      };
    }
  }
}
