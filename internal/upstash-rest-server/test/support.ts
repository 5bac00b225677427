import { randomUUID } from 'node:crypto';

import { Redis as IORedis } from 'ioredis';

import type { UpstashRestServer } from '../src/index.ts';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Returns a key prefix that no other test run uses. */
export function randomPrefix(): string {
  return `idemkit-test:upstash-rest-server:${randomUUID()}:`;
}

/** Opens a direct Redis connection, to check what the server did. Rejects when Redis is unreachable. */
export async function connectDirect(): Promise<IORedis> {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // connect() rejects with the same error, so the event needs no second report.
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: IORedis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A response as the tests look at it. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Posts `body` as JSON with the server token, and base64 results unless `base64` is false. */
export async function post(
  server: UpstashRestServer,
  path: string,
  body: unknown,
  options: { base64?: boolean; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${server.token}`,
    'content-type': 'application/json',
    ...(options.base64 === false ? {} : { 'upstash-encoding': 'base64' }),
    ...options.headers,
  };
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Base64 of the UTF-8 bytes of `text`, as the server encodes results. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
