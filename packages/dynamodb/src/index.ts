/**
 * DynamoDB persistence for idemkit: records in one table, written with conditional writes,
 * expired by DynamoDB TTL in epoch seconds and treated as absent from their expiry on.
 *
 * @module
 */
export type { DynamoDBKeySchema, DynamoDBPersistenceOptions, RecordAttributeNames } from './options.js';
export { DynamoDBPersistenceLayer } from './persistence-layer.js';
export { createTableInput, timeToLiveInput } from './table.js';
