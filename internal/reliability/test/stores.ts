import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput, DynamoDBPersistenceLayer } from '@idemkit/idempotency-dynamodb';
import { dynamoDBLocalClientConfig } from '@idemkit/test-support';
import { Redis } from 'ioredis';

/** Returns the URL of the machine's shared Redis: REDIS_URL, else the local default. */
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

/** A fresh DynamoDB table on the project's DynamoDB Local, and a layer over it. */
export interface DynamoTable {
  readonly tableName: string;
  readonly endpoint: string;
  readonly layer: DynamoDBPersistenceLayer;
  /** Deletes the table and closes the client. */
  drop(): Promise<void>;
}

/** Creates a table with a random name on the DynamoDB Local at `endpoint`. */
export async function createDynamoTable(endpoint: string, clientEndpoint: string = endpoint): Promise<DynamoTable> {
  const tableName = `reliability-${crypto.randomUUID()}`;
  const admin = new DynamoDBClient(dynamoDBLocalClientConfig(endpoint));
  await admin.send(new CreateTableCommand(createTableInput({ tableName })));
  const client = new DynamoDBClient({ ...dynamoDBLocalClientConfig(clientEndpoint), maxAttempts: 2 });
  const layer = DynamoDBPersistenceLayer.fromClient(client, { tableName });
  return {
    tableName,
    endpoint,
    layer,
    async drop() {
      client.destroy();
      await admin.send(new DeleteTableCommand({ TableName: tableName }));
      admin.destroy();
    },
  };
}
