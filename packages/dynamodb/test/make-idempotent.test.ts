import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  deriveKey,
  IdempotencyKeyMissingError,
  type IdempotencyOptions,
  type IdempotencyOutcome,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import { FALSY_RESULTS, storedResponse } from '@idemkit/idempotency-core/testing';
import { describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { countRequests, scanItems, useLocalTable } from './support.js';

const { client, documentClient, tableName } = useLocalTable('make-idempotent');
const requests = countRequests(client);
const persistence = new DynamoDBPersistenceLayer(documentClient, { tableName });

type OrderEvent = { orderId: string };

/** An idempotent handler that returns `result`, with a counter of its runs. */
function countingHandler(result: unknown, options: Omit<IdempotencyOptions<OrderEvent>, 'persistence'>) {
  let calls = 0;
  const handler = makeIdempotent(
    async (_event: OrderEvent) => {
      calls++;
      return result;
    },
    { persistence, logger: false, ...options },
  );
  return { handler, calls: () => calls };
}

/** A Lambda context with a function name and plenty of time left. */
function lambdaContext(functionName: string): { functionName: string; getRemainingTimeInMillis(): number } {
  return { functionName, getRemainingTimeInMillis: () => 30_000 };
}

/** Reads the item as DynamoDB stores it, in AttributeValue form, so that types are visible. */
async function rawItem(key: string): Promise<Record<string, Record<string, unknown>> | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }));
  return Item as Record<string, Record<string, unknown>> | undefined;
}

describe('falsy results', () => {
  it.each(FALSY_RESULTS)('result %s replays with its type', async (label, result) => {
    const keys: string[] = [];
    const namespace = `falsy-${label.replace(/ /g, '-')}`;
    const { handler, calls } = countingHandler(result, { namespace, onOutcome: (outcome) => keys.push(outcome.key ?? '') });

    const first = await handler({ orderId: 'ORDER-1' });
    const second = await handler({ orderId: 'ORDER-1' });

    expect(first).toStrictEqual(result);
    expect(second).toStrictEqual(result);
    expect(typeof second).toBe(typeof result);
    expect(Array.isArray(second)).toBe(Array.isArray(result));
    expect(calls()).toBe(1);
    const item = await rawItem(keys[0] ?? '');
    expect(item?.status).toEqual({ S: 'COMPLETED' });
    expect(Object.keys(item?.response ?? {})).toEqual(['S']);
    expect(['None', 'null', 'undefined', '']).not.toContain(item?.response?.S);
  });

  it('record without a response reads back without one', async () => {
    const key = `no-response#${crypto.randomUUID()}`;
    await persistence.acquire({ key, leaseToken: crypto.randomUUID(), leaseMs: 30_000, expiresAfterMs: 60_000, now: Date.now() });

    const record = await persistence.get({ key, now: Date.now() });
    const item = await rawItem(key);

    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.response).toBeUndefined();
    expect(item).toBeDefined();
    expect(item?.response).toBeUndefined();
  });
});

describe('undefined and null results', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
  ])('%s result is stored and replayed', async (label, result) => {
    const { handler, calls } = countingHandler(result, { namespace: `nothing-${label}` });

    await expect(handler({ orderId: 'ORDER-2' })).resolves.toBe(result);
    await expect(handler({ orderId: 'ORDER-2' })).resolves.toBe(result);

    expect(calls()).toBe(1);
    const key = await deriveKey({ orderId: 'ORDER-2' }, { namespace: `nothing-${label}` });
    expect((await persistence.get({ key, now: Date.now() }))?.status).toBe('COMPLETED');
  });
});

describe('functions sharing one table', () => {
  const booking = { booking: 'B-1' };

  it('two functions never share a record', async () => {
    const handlerA = makeIdempotent(async function handler(_event: typeof booking, _context: unknown) {
      return 'A';
    }, { persistence, logger: false });
    const handlerB = makeIdempotent(async function handler(_event: typeof booking, _context: unknown) {
      return 'B';
    }, { persistence, logger: false });

    const fromA = await handlerA(booking, lambdaContext('fn-a'));
    const fromB = await handlerB(booking, lambdaContext('fn-b'));
    const replayA = await handlerA(booking, lambdaContext('fn-a'));

    expect([fromA, fromB, replayA]).toEqual(['A', 'B', 'A']);
    const keys = (await scanItems(client, tableName)).map((item) => String(item.id)).filter((key) => key.startsWith('fn-'));
    expect(keys).toHaveLength(2);
    expect(keys.filter((key) => key.startsWith('fn-a.handler#'))).toHaveLength(1);
    expect(keys.filter((key) => key.startsWith('fn-b.handler#'))).toHaveLength(1);
  });

  it('warm invocations store the same key', async () => {
    const outcomes: IdempotencyOutcome[] = [];
    const handler = makeIdempotent(async function handler(_event: typeof booking, _context: unknown) {
      return 'C';
    }, { persistence, logger: false, onOutcome: (outcome) => outcomes.push(outcome) });
    const storedKeys: string[] = [];

    for (let invocation = 0; invocation < 3; invocation++) {
      await handler(booking, lambdaContext('fn-c'));
      const stored = (await scanItems(client, tableName)).map((item) => String(item.id)).filter((key) => key.startsWith('fn-c'));
      expect(stored).toHaveLength(1);
      storedKeys.push(stored[0] ?? '');
      await persistence.delete({ key: stored[0] ?? '' });
    }

    expect(new Set(storedKeys).size).toBe(1);
    expect(storedKeys[0]).toMatch(/^fn-c\.handler#[A-Za-z0-9_-]+$/);
    expect(new Set(outcomes.map((outcome) => outcome.key)).size).toBe(1);
  });
});

describe('expired items that DynamoDB has not deleted yet', () => {
  /** Writes a COMPLETED item directly, as an earlier call would have, with "old" as its result. */
  async function seedCompleted(key: string, expiresAt: number): Promise<void> {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          id: key,
          status: 'COMPLETED',
          expiresAt,
          expiresAtSeconds: Math.floor(expiresAt / 1000),
          leaseExpiresAt: expiresAt - 3_540_000,
          leaseToken: 'earlier-call',
          // Core's stored form of a result: "r" and the serializer's text.
          response: storedResponse('old'),
          steps: {},
        },
      }),
    );
  }

  it('expired COMPLETED item runs the function again', async () => {
    const event = { orderId: 'ORDER-12' };
    const key = await deriveKey(event, { namespace: 'expired' });
    await seedCompleted(key, Date.now() - 60_000);
    const { handler, calls } = countingHandler('new', { namespace: 'expired' });

    expect(await persistence.get({ key, now: Date.now() })).toBeUndefined();
    expect(await handler(event)).toBe('new');
    expect(calls()).toBe(1);
    expect((await persistence.get({ key, now: Date.now() }))?.status).toBe('COMPLETED');
  });

  it('live COMPLETED item of the same form replays', async () => {
    const event = { orderId: 'ORDER-13' };
    const key = await deriveKey(event, { namespace: 'expired' });
    await seedCompleted(key, Date.now() + 60_000);
    const { handler, calls } = countingHandler('new', { namespace: 'expired' });

    expect(await handler(event)).toBe('old');
    expect(calls()).toBe(0);
  });
});

describe('calls without a key', () => {
  type HttpEvent = { headers: Record<string, string>; body: string };
  const keyFromHeader = (event: HttpEvent) => event.headers['idempotency-key'];

  it('call without a key writes nothing', async () => {
    let calls = 0;
    const handler = makeIdempotent(
      async (event: HttpEvent) => {
        calls++;
        return event.body;
      },
      { persistence, namespace: 'no-key', key: keyFromHeader, logger: false },
    );
    requests.reset();

    expect(await handler({ headers: {}, body: 'a' })).toBe('a');
    expect(await handler({ headers: {}, body: 'b' })).toBe('b');

    expect(calls).toBe(2);
    expect(requests.count).toBe(0);
    const items = await scanItems(client, tableName);
    expect(items.filter((item) => String(item.id).startsWith('no-key'))).toEqual([]);
  });

  it('required key missing writes nothing', async () => {
    let calls = 0;
    const handler = makeIdempotent(
      async (event: HttpEvent) => {
        calls++;
        return event.body;
      },
      { persistence, namespace: 'key-required', key: keyFromHeader, requireKey: true, logger: false },
    );
    requests.reset();

    const error = await handler({ headers: {}, body: 'a' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(IdempotencyKeyMissingError.is(error)).toBe(true);
    expect(calls).toBe(0);
    expect(requests.count).toBe(0);
  });
});
