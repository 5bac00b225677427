import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { deriveKey, IdempotencyInProgressError, makeIdempotent } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { useLocalTable } from './support.js';

const { client, documentClient, tableName } = useLocalTable('takeover');
const persistence = new DynamoDBPersistenceLayer(documentClient, { tableName });

const HOUR_MS = 3_600_000;
const EXPIRES_AFTER_SECONDS = 7200;
const event = { orderId: 'ORDER-11' };

/**
 * Writes the IN_PROGRESS item that a timed-out invocation leaves behind: its record lives an
 * hour from `now`, and its lease ends at `leaseExpiresAt`.
 */
async function seedClaim(key: string, now: number, leaseExpiresAt: number): Promise<void> {
  const expiresAt = now + HOUR_MS;
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        id: key,
        status: 'IN_PROGRESS',
        expiresAt,
        expiresAtSeconds: Math.floor(expiresAt / 1000),
        leaseExpiresAt,
        leaseToken: 'timed-out-invocation',
        steps: {},
      },
    }),
  );
}

/** An idempotent handler on a clock stopped at `now`, with a counter of its runs. */
function handlerAt(now: number, namespace: string): { handler: (input: typeof event, context: unknown) => Promise<string>; calls: () => number } {
  let calls = 0;
  const handler = makeIdempotent(
    async (_input: typeof event, _context: unknown) => {
      calls++;
      return 'done';
    },
    { persistence, namespace, expiresAfterSeconds: EXPIRES_AFTER_SECONDS, clock: () => now, logger: false },
  );
  return { handler, calls: () => calls };
}

/** A Lambda context with 10 s left. */
const tenSecondsLeft = { functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };

describe('takeover of a claim whose lease lapsed', () => {
  it('lapsed lease is taken over and completed', async () => {
    const now = Date.now();
    const key = await deriveKey(event, { namespace: 'lapsed' });
    await seedClaim(key, now, now - 30_000);
    const { handler, calls } = handlerAt(now, 'lapsed');

    expect(await handler(event, tenSecondsLeft)).toBe('done');

    expect(calls()).toBe(1);
    const record = await persistence.get({ key, now });
    expect(record?.status).toBe('COMPLETED');
    expect(record?.leaseToken).not.toBe('timed-out-invocation');
    expect(record?.expiresAt).toBe(now + EXPIRES_AFTER_SECONDS * 1000);
    expect(record?.leaseExpiresAt).toBe(now + 10_000);
  });

  it('live lease rejects the call as in progress', async () => {
    const now = Date.now();
    const key = await deriveKey(event, { namespace: 'live' });
    await seedClaim(key, now, now + 30_000);
    const { handler, calls } = handlerAt(now, 'live');

    const error = await handler(event, tenSecondsLeft).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(IdempotencyInProgressError.is(error)).toBe(true);
    expect((error as IdempotencyInProgressError).retryAfterMs).toBe(30_000);
    expect(calls()).toBe(0);
    const record = await persistence.get({ key, now });
    expect(record?.leaseToken).toBe('timed-out-invocation');
    expect(record?.expiresAt).toBe(now + HOUR_MS);
  });

  it('TTL attribute is in seconds, lease in milliseconds', async () => {
    const now = Date.now();
    const key = await deriveKey(event, { namespace: 'units' });
    await seedClaim(key, now, now - 30_000);
    const { handler } = handlerAt(now, 'units');

    await handler(event, tenSecondsLeft);

    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: { id: key }, ConsistentRead: true }));
    const expiresAtMs = now + EXPIRES_AFTER_SECONDS * 1000;
    expect(Number.isInteger(Item?.expiresAtSeconds)).toBe(true);
    expect(Item?.expiresAtSeconds).toBe(Math.floor(expiresAtMs / 1000));
    expect(Item?.expiresAtSeconds).toBeGreaterThan(1e9);
    expect(Item?.expiresAtSeconds).toBeLessThan(1e10);
    expect(Item?.expiresAt).toBe(expiresAtMs);
    expect(Item?.leaseExpiresAt).toBe(now + 10_000);
    expect(Item?.leaseExpiresAt).toBeGreaterThan(1e12);
  });
});
