import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDBLocalClientConfig } from '@idemkit/test-support';
import { inject } from 'vitest';

import { createTableInput, type DynamoDBPersistenceOptions, timeToLiveInput } from '../src/index.js';

/** A client of the DynamoDB Local that the global setup started, with dummy credentials. */
export function localClient(overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ ...localClientConfig(), ...overrides });
}

/** Endpoint, region and dummy credentials of the DynamoDB Local that the global setup started. */
export function localClientConfig(): DynamoDBClientConfig {
  return dynamoDBLocalClientConfig(inject('dynamodbEndpoint'));
}

/** A table name that no other test file uses. */
export function uniqueTableName(label: string): string {
  return `idemkit-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Creates a table with the package's own helpers (key schema, on-demand billing, TTL on the
 * epoch-seconds attribute) and returns a function that deletes it.
 */
export async function createTable(client: DynamoDBClient, options: DynamoDBPersistenceOptions): Promise<() => Promise<void>> {
  await client.send(new CreateTableCommand(createTableInput(options)));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: options.tableName });
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(options)));
  return async () => {
    await client.send(new DeleteTableCommand({ TableName: options.tableName }));
  };
}

/** Every item of a table, read with a strongly consistent scan. */
export async function scanItems(client: DynamoDBClient, tableName: string): Promise<Record<string, unknown>[]> {
  const documentClient = DynamoDBDocumentClient.from(client);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** Counts the HTTP requests a client sends, retries included; `reset()` starts again at 0. */
export interface RequestCounter {
  readonly count: number;
  readonly operations: readonly string[];
  reset(): void;
}

/**
 * Adds a middleware that counts every attempt the client sends: the deserialize step runs once
 * per attempt, inside the retry middleware.
 */
export function countRequests(client: DynamoDBClient): RequestCounter {
  const operations: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      operations.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'deserialize', name: 'idemkitRequestCounter' },
  );
  return {
    get count() {
      return operations.length;
    },
    get operations() {
      return [...operations];
    },
    reset() {
      operations.length = 0;
    },
  };
}
