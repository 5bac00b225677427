import { IdempotencyInProgressError, makeIdempotent, step } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { countRequests, useLocalTable } from './support.js';

const { client, tableName } = useLocalTable('requests');
const requests = countRequests(client);
const persistence = DynamoDBPersistenceLayer.fromClient(client, { tableName });

/** Runs `call` and returns the requests it sent, by operation. */
async function requestsOf(call: () => Promise<unknown>): Promise<string[]> {
  requests.reset();
  await call().catch(() => undefined);
  return [...requests.operations];
}

describe('requests per call through makeIdempotent', () => {
  it('first call sends acquire and complete', async () => {
    const charge = makeIdempotent(async (order: { id: string }) => `charged ${order.id}`, { persistence, namespace: 'first', logger: false });

    expect(await requestsOf(() => charge({ id: 'o-1' }))).toEqual(['UpdateItem', 'UpdateItem']);
  });

  it('replay sends the acquire only', async () => {
    const charge = makeIdempotent(async (order: { id: string }) => `charged ${order.id}`, { persistence, namespace: 'replay', logger: false });
    await charge({ id: 'o-1' });

    expect(await requestsOf(() => charge({ id: 'o-1' }))).toEqual(['UpdateItem']);
  });

  it('replay from the local cache sends nothing', async () => {
    const charge = makeIdempotent(async (order: { id: string }) => `charged ${order.id}`, {
      persistence,
      namespace: 'cached',
      localCache: { maxItems: 100 },
      logger: false,
    });
    await charge({ id: 'o-1' });

    expect(await requestsOf(() => charge({ id: 'o-1' }))).toEqual([]);
  });

  it('call while in progress sends the acquire only', async () => {
    let finish: () => void = () => undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const charge = makeIdempotent(
      async (order: { id: string }) => {
        started();
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        return `charged ${order.id}`;
      },
      { persistence, namespace: 'in-progress', logger: false },
    );
    const first = charge({ id: 'o-1' });
    await running;

    requests.reset();
    const second = await charge({ id: 'o-1' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const sent = [...requests.operations];
    finish();
    await first;

    expect(IdempotencyInProgressError.is(second)).toBe(true);
    expect(sent).toEqual(['UpdateItem']);
  });

  it('failed call sends acquire and release', async () => {
    const charge = makeIdempotent(
      async (_order: { id: string }): Promise<string> => {
        throw new Error('downstream unavailable');
      },
      { persistence, namespace: 'failure', logger: false },
    );

    expect(await requestsOf(() => charge({ id: 'o-1' }))).toEqual(['UpdateItem', 'DeleteItem']);
  });
});

describe('requests per step', () => {
  it('each step sends one request', async () => {
    const pay = makeIdempotent(
      async (order: { id: string }) => {
        await step('charge', () => `charge ${order.id}`);
        await step('ledger', () => `ledger ${order.id}`);
        return 'paid';
      },
      { persistence, namespace: 'steps', logger: false },
    );

    // acquire, two steps, complete
    expect(await requestsOf(() => pay({ id: 'o-1' }))).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem', 'UpdateItem']);
  });

  it('retry gets stored steps with its acquire', async () => {
    let ledgerAttempts = 0;
    const pay = makeIdempotent(
      async (order: { id: string }) => {
        await step('charge', () => `charge ${order.id}`);
        await step('ledger', () => {
          if (++ledgerAttempts === 1) throw new Error('ledger unavailable');
          return 'row';
        });
        return 'paid';
      },
      { persistence, namespace: 'steps-retry', logger: false },
    );
    await pay({ id: 'o-1' }).catch(() => undefined);

    // acquire (with the charge step), the ledger step, complete
    expect(await requestsOf(() => pay({ id: 'o-1' }))).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem']);
  });
});
