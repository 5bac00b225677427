import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from '@aws-sdk/client-dynamodb';

import { type DynamoDBPersistenceOptions, resolveOptions } from './options.js';

/**
 * Builds the input of a `CreateTableCommand` for a table that {@link DynamoDBPersistenceLayer} can use
 * with the same options: the key schema (string attributes) and on-demand billing. Tables are
 * usually made by infrastructure code; this is for scripts and tests. Enable TTL afterwards with
 * {@link timeToLiveInput}, since CreateTable cannot set it.
 *
 * @example
 * ```ts
 * import { CreateTableCommand, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
 *
 * const options = { tableName: 'idempotency' };
 * await client.send(new CreateTableCommand(createTableInput(options)));
 * await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: options.tableName });
 * await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(options)));
 * ```
 */
export function createTableInput(options: DynamoDBPersistenceOptions): CreateTableCommandInput {
  const { tableName, partitionKey, sortKey } = resolveOptions(options);
  const keys = sortKey === undefined ? [partitionKey] : [partitionKey, sortKey];

  return {
    TableName: tableName,
    KeySchema: keys.map((name, index) => ({ AttributeName: name, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
    AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/**
 * Builds the input of an `UpdateTimeToLiveCommand` that makes DynamoDB delete expired records by their
 * epoch-seconds attribute (`attributeNames.expiresAtSeconds`). Deletion can lag by days; the
 * layer treats an expired record as absent whether or not DynamoDB deleted it yet.
 *
 * @example
 * ```ts
 * await client.send(new UpdateTimeToLiveCommand(timeToLiveInput({ tableName: 'idempotency' })));
 * ```
 */
export function timeToLiveInput(options: DynamoDBPersistenceOptions): UpdateTimeToLiveCommandInput {
  const { tableName, attributeNames } = resolveOptions(options);
  return {
    TableName: tableName,
    TimeToLiveSpecification: { Enabled: true, AttributeName: attributeNames.expiresAtSeconds },
  };
}
