import { startRedisServer } from '@idemkit/test-support';
import { startUpstashRestServer, type UpstashRestServer } from '@idemkit/upstash-rest-server';
import { Redis } from '@upstash/redis';

import { idemkitLibrary } from '../libraries/idemkit.ts';
import { type BareOperation, idemkitWhenAvailable, type OpenStore, type StoreFloors } from './store.ts';

const BARE_VALUE = 'x'.repeat(200);

/**
 * Starts the loopback Upstash REST server over its own private redis-server, with
 * `@upstash/redis` as the client. Powertools has no layer for the Upstash REST API, so only
 * idemkit runs here.
 */
export async function openUpstashStore(): Promise<OpenStore> {
  const redisServer = await startRedisServer();
  let restServer: UpstashRestServer | undefined;
  const stop = async (): Promise<void> => {
    await restServer?.close();
    await redisServer.stop();
  };
  try {
    restServer = await startUpstashRestServer({ redisUrl: redisServer.url, logger: false });
    return await openOnServer(restServer, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function openOnServer(restServer: UpstashRestServer, stop: () => Promise<void>): Promise<OpenStore> {
  // Auto-pipelining would merge concurrent commands into one request, so it is off: each command is one request.
  const client = new Redis({ url: restServer.url, token: restServer.token, enableTelemetry: false, enableAutoPipelining: false, automaticDeserialization: false });

  const notes: string[] = [];
  const bare: BareOperation = { label: '@upstash/redis SET (one request)', run: (index) => client.set(`bench:bare:${index}`, BARE_VALUE) };
  let floors: StoreFloors | undefined;
  const idemkit = await idemkitWhenAvailable('upstash-rest', notes, async () => {
    const { UpstashPersistenceLayer } = await import('@idemkit/idempotency-upstash-rest');
    floors = { bare, layer: new UpstashPersistenceLayer(client), raw: () => [] };
    return { library: idemkitLibrary(() => new UpstashPersistenceLayer(client)), bare };
  });
  notes.push('Powertools: no persistence layer for the Upstash REST API (its cache layer needs a Redis protocol client).');

  return {
    name: 'Upstash REST',
    server: 'the loopback Upstash REST server (internal/upstash-rest-server) over a private redis-server, on free ports of 127.0.0.1',
    libraries: idemkit,
    notes,
    roundTrips: {
      method: 'HTTP requests counted by the loopback Upstash REST server',
      reset: async () => restServer.stats.reset(),
      read: async () => ({ requests: restServer.stats.requests.total }),
    },
    floors,
    close: stop,
  };
}
