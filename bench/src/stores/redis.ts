import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import { createClient } from '@redis/client';
import { type RedisServer, startRedisServer } from '@idemkit/test-support';
import { Redis } from 'ioredis';

import { idemkitLibrary } from '../libraries/idemkit.ts';
import { powertoolsLibrary } from '../libraries/powertools.ts';
import { RedisCommandCounter } from './redis-counter.ts';
import { idemkitWhenAvailable, type OpenStore, type StoreLibrary } from './store.ts';

/** A value of about the size of a completed record, for the bare SET. */
const BARE_VALUE = 'x'.repeat(200);

/**
 * Starts a private redis-server on a free loopback port, and sets up idemkit's Redis adapter on
 * ioredis and Powertools' cache layer on `@redis/client`.
 */
export async function openRedisStore(): Promise<OpenStore> {
  const server = await startRedisServer();
  try {
    return await openOnServer(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function openOnServer(server: RedisServer): Promise<OpenStore> {
  const ioredis = new Redis(server.url);
  const nodeRedis = await createClient({ url: server.url }).connect();
  const counter = new RedisCommandCounter(server.port);
  const version = (await ioredis.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown';

  const notes: string[] = [];
  const idemkit = await idemkitWhenAvailable('redis', notes, async () => {
    const { RedisPersistenceLayer } = await import('@idemkit/idempotency-redis');
    return {
      library: idemkitLibrary(() => new RedisPersistenceLayer(ioredis)),
      bare: { label: 'ioredis SET', run: (index) => ioredis.set(`bench:bare:${index}`, BARE_VALUE) },
    };
  });
  const powertools: StoreLibrary = {
    library: powertoolsLibrary(() => new CachePersistenceLayer({ client: nodeRedis as never })),
    bare: { label: '@redis/client SET', run: (index) => nodeRedis.set(`bench:bare:${index}`, BARE_VALUE) },
  };

  return {
    name: 'Redis',
    server: `redis-server ${version}, private, on a free port of 127.0.0.1`,
    libraries: [...idemkit, powertools],
    notes,
    roundTrips: counter,
    close: async () => {
      await counter.close();
      ioredis.disconnect();
      nodeRedis.destroy();
      await server.stop();
    },
  };
}
