import { startRedisServer } from '@idemkit/test-support';
import { startUpstashRestServer, type UpstashRestServer } from '@idemkit/upstash-rest-server';
import { Redis } from '@upstash/redis';

import { idemkitLibrary } from '../libraries/idemkit.ts';
import { hasPackageSources, type OpenStore, type StoreLibrary } from './store.ts';

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

  const libraries: StoreLibrary[] = [];
  const notes = ['Powertools: no persistence layer for the Upstash REST API (its cache layer needs a Redis protocol client).'];
  if (hasPackageSources('upstash-rest')) {
    const { UpstashPersistenceLayer } = await import('@idemkit/idempotency-upstash-rest');
    libraries.push({
      library: idemkitLibrary(() => new UpstashPersistenceLayer(client)),
      bare: { label: '@upstash/redis SET (one request)', run: (index) => client.set(`bench:bare:${index}`, BARE_VALUE) },
    });
  } else {
    notes.unshift('idemkit: packages/upstash-rest has no sources yet.');
  }

  return {
    name: 'Upstash REST',
    server: `loopback Upstash REST server over a private redis-server, ${restServer.url}`,
    libraries,
    notes,
    roundTrips: {
      method: 'HTTP requests counted by the loopback Upstash REST server',
      reset: async () => restServer.stats.reset(),
      read: async () => ({ requests: restServer.stats.requests.total }),
    },
    close: stop,
  };
}
