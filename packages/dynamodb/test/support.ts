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
import { afterAll, beforeAll, inject } from 'vitest';

import { createTableInput, type DynamoDBPersistenceOptions, timeToLiveInput } from '../src/index.js';

/** Creates a client of the DynamoDB Local that the global setup started, with dummy credentials. */
export function localClient(overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ ...localClientConfig(), ...overrides });
}

/** Returns the endpoint, region and dummy credentials of the DynamoDB Local that the global setup started. */
export function localClientConfig(): DynamoDBClientConfig {
  return dynamoDBLocalClientConfig(inject('dynamodbEndpoint'));
}

/** Returns a table name that no other test file uses. */
function uniqueTableName(label: string): string {
  return `idemkit-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Creates a table with the package's own helpers (key schema, on-demand billing, TTL on the
 * epoch-seconds attribute) and returns a function that deletes it.
 */
async function createTable(client: DynamoDBClient, options: DynamoDBPersistenceOptions): Promise<() => Promise<void>> {
  await client.send(new CreateTableCommand(createTableInput(options)));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: options.tableName });
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(options)));
  return async () => {
    await client.send(new DeleteTableCommand({ TableName: options.tableName }));
  };
}

/** A table that one test file has to itself, and a client of DynamoDB Local to reach it. */
export interface LocalTable {
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Registers hooks that create a table with a random name before the tests of the current file
 * or `describe` block, and delete it and destroy the client after them.
 */
export function useLocalTable(label: string, options: Omit<DynamoDBPersistenceOptions, 'tableName'> = {}): LocalTable {
  const client = localClient();
  const tableName = uniqueTableName(label);
  let deleteTable: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    deleteTable = await createTable(client, { ...options, tableName });
  });
  afterAll(async () => {
    await deleteTable?.();
    client.destroy();
  });
  return { client, documentClient: DynamoDBDocumentClient.from(client), tableName };
}

/** Reads every item of a table with a strongly consistent scan. */
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

/** The HTTP requests a client sent, retries included; `reset()` starts again at 0. */
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
