import { Redis } from 'ioredis';

/** The shared Redis of the test machine: REDIS_URL, else the local default. */
export function sharedRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Deletes every key of the shared Redis that starts with `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(sharedRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
