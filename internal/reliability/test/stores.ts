/** The shared Redis of the test machine: REDIS_URL, else the local default. */
export function sharedRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}
