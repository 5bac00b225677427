import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyInProgressError, IdempotencyPersistenceError, makeIdempotent } from '@idemkit/idempotency-core';
import { DynamoDBPersistenceLayer } from '@idemkit/idempotency-dynamodb';
import { dynamoDBLocalClientConfig, type TcpProxy, startTcpProxy } from '@idemkit/test-support';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { recordFigures } from '../src/index.ts';
import { createDynamoTable, type DynamoTable } from './stores.ts';

const LEASE_MS = 400;

describe('DynamoDB Local behind a faulty network', () => {
  let table: DynamoTable;
  let proxy: TcpProxy;
  let client: DynamoDBClient;
  let runs = 0;
  let onRun: () => void = () => undefined;
  let charge: (id: string) => Promise<string>;
  const totals = { calls: 0, executions: 0, faults: 0 };

  beforeAll(async () => {
    const endpoint = inject('dynamodbEndpoint');
    table = await createDynamoTable(endpoint);
    proxy = await startTcpProxy({ targetPort: Number(new URL(endpoint).port) });
    // One attempt per call and short timeouts, so each fault surfaces at once; the SDK's own
    // retries are tested by the adapter's tests.
    client = new DynamoDBClient({
      ...dynamoDBLocalClientConfig(`http://127.0.0.1:${proxy.port}`),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 500, connectionTimeout: 500, throwOnRequestTimeout: true }),
    });
    const layer = DynamoDBPersistenceLayer.fromClient(client, { tableName: table.tableName });
    const idempotentCharge = makeIdempotent(
      async (id: string) => {
        runs++;
        totals.executions++;
        onRun();
        return `charged ${id}`;
      },
      { persistence: layer, namespace: 'faults', leaseMs: LEASE_MS, logger: false },
    );
    charge = (id: string) => {
      totals.calls++;
      return idempotentCharge(id);
    };
    await charge('warm-up');
  });

  beforeEach(() => {
    runs = 0;
  });

  afterAll(async () => {
    await recordFigures({ scenario: 'network faults', store: 'dynamodb', calls: totals.calls, executions: totals.executions, faults: totals.faults, lost: 0, stuck: 0 });
  });

  afterEach(() => {
    proxy.heal();
    onRun = () => undefined;
  });

  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await table?.drop();
  });

  it('fails closed when the store is gone before acquire', async () => {
    totals.faults++;
    proxy.cut();

    const error = await charge('before-acquire').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(runs).toBe(0);
    proxy.heal();
    await expect(charge('before-acquire')).resolves.toBe('charged before-acquire');
    expect(runs).toBe(1);
  });

  it('frees the key after its lease when the store went away mid-call', async () => {
    onRun = () => {
      totals.faults++;
      proxy.cut();
    };

    const error = await charge('mid-call').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    onRun = () => undefined;
    proxy.heal();
    const whileLeased = await charge('mid-call').catch((thrown: unknown) => thrown);
    expect(IdempotencyInProgressError.is(whileLeased)).toBe(true);
    await sleep(LEASE_MS + 50);
    await expect(charge('mid-call')).resolves.toBe('charged mid-call');
    expect(runs).toBe(2);
  });

  it('replays after the reply to complete was lost', async () => {
    onRun = () => {
      totals.faults++;
      proxy.loseNextReply();
    };

    const first = await charge('lost-reply').catch((thrown: unknown) => thrown);
    onRun = () => undefined;

    expect(IdempotencyPersistenceError.is(first)).toBe(true);
    await expect(charge('lost-reply')).resolves.toBe('charged lost-reply');
    expect(runs).toBe(1);
  });

  it('times out with a persistence error when the store hangs', async () => {
    totals.faults++;
    proxy.stall();

    const startedAt = Date.now();
    const error = await charge('stalled').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(runs).toBe(0);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
