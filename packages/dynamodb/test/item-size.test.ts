import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencySerializationError, makeIdempotent } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { itemBytes, MAX_ITEM_BYTES, numberBytes, type StoredValue, utf8ByteLength } from '../src/item-size.js';
import { countRequests, useLocalTable } from './support.js';

const { client, documentClient, tableName } = useLocalTable('item-size');
const requests = countRequests(client);
const persistence = new DynamoDBPersistenceLayer(documentClient, { tableName });

/** `bytes` bytes of UTF-8 text made of one-, two-, three- and four-byte characters. */
function textOfBytes(bytes: number): string {
  const unit = 'aé✓🧾'; // 1 + 2 + 3 + 4 bytes
  const text = unit.repeat(Math.floor(bytes / 10)) + 'a'.repeat(bytes % 10);
  expect(utf8ByteLength(text)).toBe(bytes);
  return text;
}

/** Returns the rejection of `promise`, and fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('size counting', () => {
  it('UTF-8 lengths match TextEncoder', () => {
    for (const text of ['', 'ascii', 'é', '✓', '🧾', 'nul\u0000', 'a\u{10ffff}b', textOfBytes(1000)]) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it('item at the limit is accepted and one byte more is not', async () => {
    const numbers = { n1: 0, n2: 7, n3: 12_000, n4: 1_000_001, n5: Date.now(), n6: Math.floor(Date.now() / 1000) };
    const item: Record<string, StoredValue> = { id: 'exact', ...numbers, map: { 'step ✓': 'ünï', empty: '' }, name: 'é' };
    const fill = MAX_ITEM_BYTES - itemBytes(item) - utf8ByteLength('fill');

    const atLimit = { ...item, fill: textOfBytes(fill) };
    const overLimit = { ...item, id: 'above', fill: textOfBytes(fill + 1) };

    await expect(documentClient.send(new PutCommand({ TableName: tableName, Item: atLimit }))).resolves.toBeDefined();
    const error = await rejectionOf(documentClient.send(new PutCommand({ TableName: tableName, Item: overLimit })));
    expect(String(error)).toContain('Item size has exceeded the maximum allowed size');
  });

  it('number sizes count digit pairs', () => {
    expect(numberBytes(0)).toBe(1);
    expect(numberBytes(7)).toBe(2);
    expect(numberBytes(12_000)).toBe(3);
    expect(numberBytes(1_200)).toBe(2);
    expect(numberBytes(1_733_000_000_123)).toBe(8);
    expect(numberBytes(1.5)).toBeGreaterThanOrEqual(2);
  });
});

describe('item limit of complete and saveStep', () => {
  /** Acquires a claim with a payload hash and two steps, and returns its token. */
  async function claimWithSteps(key: string): Promise<string> {
    const leaseToken = crypto.randomUUID();
    const now = Date.now();
    await persistence.acquire({ key, leaseToken, leaseMs: 30_000, expiresAfterMs: 3_600_000, payloadHash: 'hash-ünï', now });
    await persistence.saveStep({ key, leaseToken, name: 'charge ✓', result: textOfBytes(1000), now });
    await persistence.saveStep({ key, leaseToken, name: 'ledger', result: '', now });
    return leaseToken;
  }

  /** Response bytes that bring the item of `key` to exactly the limit once COMPLETED. */
  async function responseBytesToLimit(key: string): Promise<number> {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: { id: key }, ConsistentRead: true }));
    const completed = { ...(Item as Record<string, StoredValue>), status: 'COMPLETED' };
    return MAX_ITEM_BYTES - itemBytes(completed) - utf8ByteLength('response');
  }

  it('response that fills the item to the limit is stored', async () => {
    const key = `limit#${crypto.randomUUID()}`;
    const leaseToken = await claimWithSteps(key);
    const response = textOfBytes(await responseBytesToLimit(key));

    await expect(persistence.complete({ key, leaseToken, response, now: Date.now() })).resolves.toBe(true);
    expect((await persistence.get({ key, now: Date.now() }))?.response).toBe(response);
  });

  it('response one byte over the limit is rejected before sending', async () => {
    const key = `over#${crypto.randomUUID()}`;
    const leaseToken = await claimWithSteps(key);
    const response = textOfBytes((await responseBytesToLimit(key)) + 1);
    requests.reset();

    const error = await rejectionOf(persistence.complete({ key, leaseToken, response, now: Date.now() }));

    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect((error as IdempotencySerializationError).reason).toBe('too-large');
    expect((error as IdempotencySerializationError).sizeBytes).toBe(MAX_ITEM_BYTES + 1);
    expect((error as IdempotencySerializationError).limitBytes).toBe(MAX_ITEM_BYTES);
    expect(requests.count).toBe(0);
    expect((await persistence.get({ key, now: Date.now() }))?.status).toBe('IN_PROGRESS');
  });

  it('step that passes the limit with the stored steps is rejected', async () => {
    const key = `step#${crypto.randomUUID()}`;
    const leaseToken = crypto.randomUUID();
    const now = Date.now();
    await persistence.acquire({ key, leaseToken, leaseMs: 30_000, expiresAfterMs: 3_600_000, now });
    await persistence.saveStep({ key, leaseToken, name: 'first', result: textOfBytes(250_000), now });
    requests.reset();

    const error = await rejectionOf(persistence.saveStep({ key, leaseToken, name: 'second', result: textOfBytes(200_000), now }));

    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect(requests.count).toBe(0);
    expect(Object.keys((await persistence.get({ key, now }))?.steps ?? {})).toEqual(['first']);
  });

  it('steps stored by another process are caught by DynamoDB', async () => {
    const key = `backstop#${crypto.randomUUID()}`;
    const leaseToken = crypto.randomUUID();
    const now = Date.now();
    const otherProcess = new DynamoDBPersistenceLayer(documentClient, { tableName });
    await persistence.acquire({ key, leaseToken, leaseMs: 30_000, expiresAfterMs: 3_600_000, now });
    await otherProcess.saveStep({ key, leaseToken, name: 'big', result: textOfBytes(300_000), now });
    requests.reset();

    const error = await rejectionOf(persistence.complete({ key, leaseToken, response: textOfBytes(200_000), now }));

    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect((error as IdempotencySerializationError).reason).toBe('too-large');
    expect((error as Error).cause).toMatchObject({ name: 'ValidationException' });
    expect(requests.count).toBe(1);
    expect((await persistence.get({ key, now }))?.status).toBe('IN_PROGRESS');
  });

  it('too-large result releases the claim', async () => {
    let calls = 0;
    const handler = makeIdempotent(
      async (_event: { id: string }) => {
        calls++;
        return 'x'.repeat(MAX_ITEM_BYTES);
      },
      { persistence, namespace: 'too-large', logger: false },
    );

    const first = await rejectionOf(handler({ id: 'big' }));
    const second = await rejectionOf(handler({ id: 'big' }));

    expect(IdempotencySerializationError.is(first)).toBe(true);
    expect(IdempotencySerializationError.is(second)).toBe(true);
    expect(calls).toBe(2);
  });
});
