import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';
import { afterAll, beforeAll } from 'vitest';

import { type DynamoDBPersistenceOptions, DynamoDBPersistenceLayer } from '../src/index.js';
import { createTable, localClient, uniqueTableName } from './support.js';

const client = localClient();
const documentClient = DynamoDBDocumentClient.from(client);

const simpleKey: DynamoDBPersistenceOptions = { tableName: uniqueTableName('conformance') };
// A single-table design: a fixed partition value, the record key in the sort key, renamed attributes.
const compositeKey: DynamoDBPersistenceOptions = {
  tableName: uniqueTableName('conformance-composite'),
  keySchema: { partitionKey: 'pk', sortKey: 'sk', partitionKeyValue: 'IDEMPOTENCY' },
  attributeNames: { status: 'st', expiresAt: 'exp', expiresAtSeconds: 'ttl', leaseExpiresAt: 'lease', leaseToken: 'tok', payloadHash: 'hash', response: 'data', steps: 'done' },
};
const deleteTables: (() => Promise<void>)[] = [];

beforeAll(async () => {
  deleteTables.push(await createTable(client, simpleKey), await createTable(client, compositeKey));
});

afterAll(async () => {
  await Promise.all(deleteTables.map((deleteTable) => deleteTable()));
  client.destroy();
});

/**
 * Time left until DynamoDB's TTL instant (epoch seconds), in ms. The suite's injected clock starts
 * at Date.now() and its TTL checks run before the clock is advanced, so Date.now() replaces it.
 */
function storeTtlMs(options: DynamoDBPersistenceOptions, keyOf: (key: string) => Record<string, string>) {
  return async (key: string): Promise<number | undefined> => {
    const { Item } = await documentClient.send(new GetCommand({ TableName: options.tableName, Key: keyOf(key), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    const seconds = Item[options.attributeNames?.expiresAtSeconds ?? 'expiresAtSeconds'];
    return typeof seconds === 'number' ? seconds * 1000 - Date.now() : -1;
  };
}

runPersistenceConformance({
  name: 'DynamoDBPersistenceLayer',
  create: () => new DynamoDBPersistenceLayer(documentClient, simpleKey),
  storeTtlMs: storeTtlMs(simpleKey, (key) => ({ id: key })),
});

runPersistenceConformance({
  name: 'DynamoDBPersistenceLayer with a composite key',
  create: () => DynamoDBPersistenceLayer.fromClient(client, compositeKey),
  storeTtlMs: storeTtlMs(compositeKey, (key) => ({ pk: 'IDEMPOTENCY', sk: key })),
});
