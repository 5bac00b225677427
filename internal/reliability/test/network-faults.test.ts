// A store behind a TCP proxy that cuts, stalls or loses replies: the same four faults on every
// store whose client talks TCP to a process the test owns.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyInProgressError, IdempotencyPersistenceError, makeIdempotent, type PersistenceLayer } from '@idemkit/idempotency-core';
import { DynamoDBPersistenceLayer } from '@idemkit/idempotency-dynamodb';
import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { dynamoDBLocalClientConfig, startRedisServer, startTcpProxy, type TcpProxy } from '@idemkit/test-support';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { recordFigures } from '../src/index.ts';
import { createDynamoTable } from './stores.ts';

const LEASE_MS = 400;

/** A store reached through a proxy: the layer for the test, and how to stop everything. */
interface FaultyStore {
  readonly proxy: TcpProxy;
  readonly layer: PersistenceLayer;
  close(): Promise<void>;
}

// Each client fails fast and makes one attempt per call, so that every fault surfaces at once.
// The clients' own retries are tested by the adapters' tests.
const FAULTY_STORES: Record<'redis' | 'dynamodb', () => Promise<FaultyStore>> = {
  async redis() {
    const server = await startRedisServer();
    const proxy = await startTcpProxy({ targetPort: server.port });
    const layer = RedisPersistenceLayer.fromUrl(`redis://127.0.0.1:${proxy.port}`, {
      logger: false,
      redis: { commandTimeout: 500, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => 50 },
    });
    return {
      proxy,
      layer,
      async close() {
        await layer.close();
        await proxy.close();
        await server.stop();
      },
    };
  },
  async dynamodb() {
    const endpoint = inject('dynamodbEndpoint');
    const table = await createDynamoTable(endpoint);
    const proxy = await startTcpProxy({ targetPort: Number(new URL(endpoint).port) });
    const client = new DynamoDBClient({
      ...dynamoDBLocalClientConfig(`http://127.0.0.1:${proxy.port}`),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 500, connectionTimeout: 500, throwOnRequestTimeout: true }),
    });
    return {
      proxy,
      layer: DynamoDBPersistenceLayer.fromClient(client, { tableName: table.tableName }),
      async close() {
        client.destroy();
        await proxy.close();
        await table.drop();
      },
    };
  },
};

describe.each(Object.keys(FAULTY_STORES) as (keyof typeof FAULTY_STORES)[])('%s behind a faulty network', (kind) => {
  let store: FaultyStore;
  let runs = 0;
  let onRun: () => void = () => undefined;
  let charge: (id: string) => Promise<string>;
  const totals = { calls: 0, executions: 0, faults: 0 };

  /** Starts a fault now, or, given `whenRunning`, while the function runs. */
  const injectFault = (fault: (proxy: TcpProxy) => void, whenRunning = false): void => {
    const strike = (): void => {
      totals.faults++;
      fault(store.proxy);
    };
    if (whenRunning) onRun = strike;
    else strike();
  };

  beforeAll(async () => {
    store = await FAULTY_STORES[kind]();
    const idempotentCharge = makeIdempotent(
      async (id: string) => {
        runs++;
        totals.executions++;
        onRun();
        return `charged ${id}`;
      },
      { persistence: store.layer, namespace: 'faults', leaseMs: LEASE_MS, logger: false },
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

  afterEach(() => {
    store.proxy.heal();
    onRun = () => undefined;
  });

  afterAll(async () => {
    await recordFigures({ scenario: 'network faults', store: kind, calls: totals.calls, executions: totals.executions, faults: totals.faults, lost: 0, stuck: 0 });
    await store?.close();
  });

  it('fails closed when the store is gone before acquire', async () => {
    injectFault((proxy) => proxy.cut());

    const error = await charge('before-acquire').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(runs).toBe(0);
    store.proxy.heal();
    await expect(eventually(() => charge('before-acquire'))).resolves.toBe('charged before-acquire');
    expect(runs).toBe(1);
  });

  it('frees the key after its lease when the store went away mid-call', async () => {
    injectFault((proxy) => proxy.cut(), true);

    const error = await charge('mid-call').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(runs).toBe(1);
    onRun = () => undefined;
    store.proxy.heal();
    const whileLeased = await eventually(() => charge('mid-call').catch((thrown: unknown) => thrown));
    expect(IdempotencyInProgressError.is(whileLeased)).toBe(true);
    await sleep(LEASE_MS + 50);
    await expect(charge('mid-call')).resolves.toBe('charged mid-call');
    expect(runs).toBe(2);
  });

  it('replays after the reply to complete was lost', async () => {
    injectFault((proxy) => proxy.loseNextReply(), true);

    const first = await charge('lost-reply').catch((thrown: unknown) => thrown);
    onRun = () => undefined;
    const retried = await eventually(() => charge('lost-reply'));

    expect(runs).toBe(1);
    expect(retried).toBe('charged lost-reply');
    // A client may send the command again after reconnecting, as ioredis does. Either way the
    // caller gets the result or a persistence error, never a second run.
    if (first instanceof Error) expect(IdempotencyPersistenceError.is(first)).toBe(true);
    else expect(first).toBe('charged lost-reply');
  });

  it('times out with a persistence error when the store hangs', async () => {
    injectFault((proxy) => proxy.stall());

    const startedAt = Date.now();
    const error = await charge('stalled').catch((thrown: unknown) => thrown);

    expect(IdempotencyPersistenceError.is(error)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(runs).toBe(0);
  });
});

/** Retries `call` while it fails with a persistence error (the client is reconnecting), for up to 3 s. */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!IdempotencyPersistenceError.is(error) || Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
