import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';

import { type DynamoDBPersistenceOptions, DynamoDBPersistenceLayer } from '../src/index.js';
import { type LocalTable, useLocalTable } from './support.js';

// A single-table design: a fixed partition value, the record key in the sort key, renamed attributes.
const compositeSchema = {
  keySchema: { partitionKey: 'pk', sortKey: 'sk', partitionKeyValue: 'IDEMPOTENCY' },
  attributeNames: { status: 'st', expiresAt: 'exp', expiresAtSeconds: 'ttl', leaseExpiresAt: 'lease', leaseToken: 'tok', payloadHash: 'hash', response: 'data', steps: 'done' },
} satisfies Omit<DynamoDBPersistenceOptions, 'tableName'>;

const simple = useLocalTable('conformance');
const composite = useLocalTable('conformance-composite', compositeSchema);

/** Returns the time from the suite's `now` to DynamoDB's TTL instant (epoch seconds), in ms. */
function storeTtlMs(table: LocalTable, ttlAttribute: string, keyOf: (key: string) => Record<string, string>) {
  return async (key: string, now: number): Promise<number | undefined> => {
    const { Item } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: keyOf(key), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    const seconds = Item[ttlAttribute];
    return typeof seconds === 'number' ? seconds * 1000 - now : -1;
  };
}

runPersistenceConformance({
  name: 'DynamoDBPersistenceLayer',
  create: () => new DynamoDBPersistenceLayer(simple.documentClient, { tableName: simple.tableName }),
  storeTtlMs: storeTtlMs(simple, 'expiresAtSeconds', (key) => ({ id: key })),
});

runPersistenceConformance({
  name: 'DynamoDBPersistenceLayer with a composite key',
  create: () => DynamoDBPersistenceLayer.fromClient(composite.client, { tableName: composite.tableName, ...compositeSchema }),
  storeTtlMs: storeTtlMs(composite, 'ttl', (key) => ({ pk: 'IDEMPOTENCY', sk: key })),
});
