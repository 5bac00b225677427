import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import { createClient } from '@redis/client';
import { type RedisServer, startRedisServer } from '@idemkit/test-support';
import { Redis } from 'ioredis';

import { idemkitLibrary } from '../libraries/idemkit.ts';
import { powertoolsLibrary } from '../libraries/powertools.ts';
import { RedisCommandCounter } from './redis-counter.ts';
import { type BareOperation, type CompletedRecord, type FloorOperation, idemkitWhenAvailable, type OpenStore, type StoreFloors, type StoreLibrary } from './store.ts';

/** The floors' layer keeps its records under its own prefix, so the raw commands know where they are. */
const FLOOR_KEY_PREFIX = 'bench-floor:';

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
  const bare: BareOperation = { label: 'ioredis SET', run: (index) => ioredis.set(`bench:bare:${index}`, BARE_VALUE) };
  let floors: StoreFloors | undefined;
  const idemkit = await idemkitWhenAvailable('redis', notes, async () => {
    const { RedisPersistenceLayer } = await import('@idemkit/idempotency-redis');
    floors = { bare, layer: new RedisPersistenceLayer(ioredis, { keyPrefix: FLOOR_KEY_PREFIX }), raw: (record) => rawFloors(ioredis, record) };
    return { library: idemkitLibrary(() => new RedisPersistenceLayer(ioredis)), bare };
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
    floors,
    close: async () => {
      await counter.close();
      ioredis.disconnect();
      nodeRedis.destroy();
      await server.stop();
    },
  };
}

/**
 * Returns raw commands on ioredis as floors. HGETALL reads the record's hash with no script
 * around it, the minimum cost of replaying a hash record. Two calls of a script that only
 * returns 1 are the minimum cost of a first call's two script round trips (acquire and complete).
 */
function rawFloors(ioredis: Redis, record: CompletedRecord): FloorOperation[] {
  const storageKey = FLOOR_KEY_PREFIX + record.key;
  ioredis.defineCommand('benchReturnOne', { lua: 'return 1', numberOfKeys: 1 });
  const returnOne = (key: string): Promise<unknown> => (ioredis as unknown as { benchReturnOne(key: string): Promise<unknown> }).benchReturnOne(key);
  return [
    {
      label: 'ioredis HGETALL of the record (raw reply)',
      path: 'replay',
      kind: 'floor',
      run: async () => {
        const fields = await ioredis.call('HGETALL', storageKey);
        // An empty reply would time a miss, which costs less than reading the record.
        if (!Array.isArray(fields) || fields.length === 0) throw new Error(`HGETALL found no record at ${storageKey}; the floors' layer must store under the prefix ${FLOOR_KEY_PREFIX}.`);
      },
    },
    {
      label: 'ioredis EVALSHA of `return 1`, twice',
      path: 'first call',
      kind: 'floor',
      run: async () => {
        await returnOne(storageKey);
        await returnOne(storageKey);
      },
    },
  ];
}
