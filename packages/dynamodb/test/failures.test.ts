import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

import { IdempotencyPersistenceError, makeIdempotent } from '@idemkit/idempotency-core';
import { findFreePort } from '@idemkit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { localClient, localClientConfig } from './support.js';

const acquireRequest = () => ({ key: `failures#${crypto.randomUUID()}`, leaseToken: crypto.randomUUID(), leaseMs: 1000, expiresAfterMs: 2000, now: Date.now() });

/** Returns the rejection of `promise` after checking that it is an `IdempotencyPersistenceError`. */
async function persistenceErrorOf(promise: Promise<unknown>): Promise<IdempotencyPersistenceError> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (thrown: unknown) => thrown,
  );
  expect(IdempotencyPersistenceError.is(error)).toBe(true);
  return error as IdempotencyPersistenceError;
}

describe('store failures', () => {
  it('missing table fails with the operation and table', async () => {
    const client = localClient();
    const layer = DynamoDBPersistenceLayer.fromClient(client, { tableName: 'idemkit-no-such-table' });

    const error = await persistenceErrorOf(layer.acquire(acquireRequest()));

    expect(error.code).toBe('PERSISTENCE');
    expect(error.message).toMatch(/^DynamoDBPersistenceLayer: acquire of failures#\S+ on table idemkit-no-such-table failed after 1 attempt: ResourceNotFoundException/);
    expect(error.cause).toMatchObject({ name: 'ResourceNotFoundException' });
    client.destroy();
  });

  it('refused connection fails after the SDK retries', async () => {
    const port = await findFreePort();
    const layer = DynamoDBPersistenceLayer.fromConfig({ ...localClientConfig(), endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 }, { tableName: 'idempotency' });

    const error = await persistenceErrorOf(layer.get({ key: 'k', now: Date.now() }));

    expect(error.message).toContain('get of k on table idempotency failed after 2 attempts');
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' });
    await layer.close();
  });

  describe('throttling', () => {
    // DynamoDB Local never throttles, so a loopback server responds to every request as DynamoDB
    // responds to a throttled one.
    let server: Server;
    let received = 0;

    beforeAll(async () => {
      server = createServer((request, response) => {
        received++;
        request.resume();
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `throttled-${received}` });
        response.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          }),
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });

    afterAll(async () => {
      server.close();
      await once(server, 'close');
    });

    /** Creates a layer whose client sends to the throttling server and tries each request twice. */
    function throttledLayer(): DynamoDBPersistenceLayer {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      return DynamoDBPersistenceLayer.fromConfig({ ...localClientConfig(), endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 }, { tableName: 'idempotency' });
    }

    it('throttled acquire fails after the SDK retries', async () => {
      const layer = throttledLayer();
      received = 0;

      const error = await persistenceErrorOf(layer.acquire(acquireRequest()));

      expect(received).toBe(2);
      expect(error.message).toContain('on table idempotency failed after 2 attempts: ProvisionedThroughputExceededException');
      expect(error.cause).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
      await layer.close();
    });

    it('throttled store keeps the function from running', async () => {
      const layer = throttledLayer();
      let calls = 0;
      const handler = makeIdempotent(
        async (_event: { id: string }) => {
          calls++;
          return 'ran';
        },
        { persistence: layer, namespace: 'throttled', logger: false },
      );

      await persistenceErrorOf(handler({ id: 'e-1' }));

      expect(calls).toBe(0);
      await layer.close();
    });
  });
});
