import { describeValue, IdempotencyConfigError, rejectUnknownKeys } from '@idemkit/idempotency-core';

import { utf8ByteLength } from './item-size.js';

/**
 * Names of the attributes that hold a record's fields. Every name is configurable; the defaults
 * are the field names of the record.
 *
 * @example
 * ```ts
 * const attributeNames: Partial<RecordAttributeNames> = { expiresAtSeconds: 'ttl', response: 'data' };
 * ```
 */
export interface RecordAttributeNames {
  /** `IN_PROGRESS` or `COMPLETED`. Default `status`. */
  readonly status: string;
  /** Epoch ms after which the record counts as absent. Default `expiresAt`. */
  readonly expiresAt: string;
  /**
   * The same instant in whole epoch seconds, rounded down: the attribute to enable DynamoDB TTL
   * on. Only DynamoDB reads it; the adapter's conditions compare `expiresAt`. Default `expiresAtSeconds`.
   */
  readonly expiresAtSeconds: string;
  /** Epoch ms after which an IN_PROGRESS claim may be taken over. Default `leaseExpiresAt`. */
  readonly leaseExpiresAt: string;
  /** Default `leaseToken`. */
  readonly leaseToken: string;
  /** Default `payloadHash`. */
  readonly payloadHash: string;
  /** The serialized result, a string attribute. Default `response`. */
  readonly response: string;
  /** Step results, a map attribute of strings by step name. Default `steps`. */
  readonly steps: string;
}

/**
 * The key attributes of the table. Either the partition key contains the record key, or, in a
 * single-table design, the partition key contains one fixed value and the sort key the record key.
 *
 * @example
 * ```ts
 * const simple: DynamoDBKeySchema = { partitionKey: 'id' };
 * const composite: DynamoDBKeySchema = { partitionKey: 'pk', sortKey: 'sk', partitionKeyValue: 'idempotency' };
 * ```
 */
export type DynamoDBKeySchema =
  | { readonly partitionKey: string; readonly sortKey?: never; readonly partitionKeyValue?: never }
  | {
      readonly partitionKey: string;
      readonly sortKey: string;
      /** The value every record gets in the partition key. Default `idempotency`. */
      readonly partitionKeyValue?: string;
    };

/**
 * Options of {@link DynamoDBPersistenceLayer}.
 *
 * @example
 * ```ts
 * const options: DynamoDBPersistenceOptions = {
 *   tableName: 'idempotency',
 *   keySchema: { partitionKey: 'pk', sortKey: 'sk', partitionKeyValue: 'idempotency' },
 *   attributeNames: { expiresAtSeconds: 'ttl' },
 * };
 * ```
 */
export interface DynamoDBPersistenceOptions {
  /** Table name or table ARN. */
  readonly tableName: string;
  /** The table's key attributes. Default `{ partitionKey: 'id' }`. */
  readonly keySchema?: DynamoDBKeySchema;
  /** Attribute names of the record's fields; each one left out keeps its default. */
  readonly attributeNames?: Partial<RecordAttributeNames>;
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  readonly tableName: string;
  readonly partitionKey: string;
  /** Set for a composite key: the attribute that contains the record key. */
  readonly sortKey: string | undefined;
  /** Set for a composite key: the partition key value of every record. */
  readonly partitionKeyValue: string | undefined;
  readonly attributeNames: RecordAttributeNames;
}

const LABEL = 'DynamoDBPersistenceLayer';
const DEFAULT_PARTITION_KEY = 'id';
const DEFAULT_PARTITION_KEY_VALUE = 'idempotency';
const DEFAULT_ATTRIBUTE_NAMES: RecordAttributeNames = {
  status: 'status',
  expiresAt: 'expiresAt',
  expiresAtSeconds: 'expiresAtSeconds',
  leaseExpiresAt: 'leaseExpiresAt',
  leaseToken: 'leaseToken',
  payloadHash: 'payloadHash',
  response: 'response',
  steps: 'steps',
};
// DynamoDB's limits: key attribute names 1 to 255 bytes, partition key values at most 2048 bytes.
const MAX_KEY_ATTRIBUTE_NAME_BYTES = 255;
const MAX_PARTITION_KEY_VALUE_BYTES = 2048;
const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const TABLE_ARN_PATTERN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[a-zA-Z0-9_.-]{3,255}$/;

/**
 * Validates options once, up front, and applies the defaults. Unknown keys are rejected, and every
 * message names the option, the value received and the fix.
 */
export function resolveOptions(options: DynamoDBPersistenceOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw configError(`options must be an object such as { tableName: 'idempotency' }, got ${describeValue(options)}.`);
  }
  rejectUnknownKeys(`${LABEL} options`, options, ['tableName', 'keySchema', 'attributeNames']);

  const resolved = {
    tableName: checkTableName(options.tableName),
    ...checkKeySchema(options.keySchema),
    attributeNames: checkAttributeNames(options.attributeNames),
  };
  checkDistinctNames(resolved);
  return resolved;
}

function checkTableName(tableName: unknown): string {
  if (typeof tableName === 'string' && (TABLE_NAME_PATTERN.test(tableName) || TABLE_ARN_PATTERN.test(tableName))) return tableName;
  throw configError(
    `tableName must be a table name of 3 to 255 characters from a-z, A-Z, 0-9, '_', '-' and '.', or a table ARN, got ${describeValue(tableName)}.`,
  );
}

function checkKeySchema(keySchema: unknown): Pick<ResolvedOptions, 'partitionKey' | 'sortKey' | 'partitionKeyValue'> {
  if (keySchema === undefined) return { partitionKey: DEFAULT_PARTITION_KEY, sortKey: undefined, partitionKeyValue: undefined };
  if (typeof keySchema !== 'object' || keySchema === null) {
    throw configError(`keySchema must be { partitionKey } or { partitionKey, sortKey, partitionKeyValue }, got ${describeValue(keySchema)}.`);
  }
  rejectUnknownKeys(`${LABEL} keySchema`, keySchema, ['partitionKey', 'sortKey', 'partitionKeyValue']);

  const schema = keySchema as { partitionKey?: unknown; sortKey?: unknown; partitionKeyValue?: unknown };
  const partitionKey = checkKeyAttributeName('keySchema.partitionKey', schema.partitionKey);
  if (schema.sortKey === undefined) {
    if (schema.partitionKeyValue !== undefined) {
      throw configError(
        `keySchema.partitionKeyValue is set to ${describeValue(schema.partitionKeyValue)} but keySchema.sortKey is not; set sortKey for a composite key, or leave partitionKeyValue out.`,
      );
    }
    return { partitionKey, sortKey: undefined, partitionKeyValue: undefined };
  }
  return {
    partitionKey,
    sortKey: checkKeyAttributeName('keySchema.sortKey', schema.sortKey),
    partitionKeyValue: checkPartitionKeyValue(schema.partitionKeyValue),
  };
}

function checkKeyAttributeName(option: string, name: unknown): string {
  if (typeof name === 'string' && name !== '' && utf8ByteLength(name) <= MAX_KEY_ATTRIBUTE_NAME_BYTES) return name;
  throw configError(`${option} must be the name of the table's key attribute, a non-empty string of at most ${MAX_KEY_ATTRIBUTE_NAME_BYTES} bytes, got ${describeValue(name)}.`);
}

function checkPartitionKeyValue(value: unknown): string {
  if (value === undefined) return DEFAULT_PARTITION_KEY_VALUE;
  if (typeof value === 'string' && value !== '' && utf8ByteLength(value) <= MAX_PARTITION_KEY_VALUE_BYTES) return value;
  throw configError(
    `keySchema.partitionKeyValue must be a non-empty string of at most ${MAX_PARTITION_KEY_VALUE_BYTES} bytes, got ${describeValue(value)}; leave it out for "${DEFAULT_PARTITION_KEY_VALUE}".`,
  );
}

function checkAttributeNames(attributeNames: unknown): RecordAttributeNames {
  if (attributeNames === undefined) return DEFAULT_ATTRIBUTE_NAMES;
  if (typeof attributeNames !== 'object' || attributeNames === null) {
    throw configError(`attributeNames must be an object such as { expiresAtSeconds: 'ttl' }, got ${describeValue(attributeNames)}.`);
  }
  const fields = Object.keys(DEFAULT_ATTRIBUTE_NAMES) as (keyof RecordAttributeNames)[];
  rejectUnknownKeys(`${LABEL} attributeNames`, attributeNames, fields);

  const resolved = { ...DEFAULT_ATTRIBUTE_NAMES };
  for (const field of fields) {
    const name = (attributeNames as Partial<Record<string, unknown>>)[field];
    if (name === undefined) continue;
    if (typeof name !== 'string' || name === '') {
      throw configError(`attributeNames.${field} must be a non-empty string, got ${describeValue(name)}; leave it out for "${DEFAULT_ATTRIBUTE_NAMES[field]}".`);
    }
    resolved[field] = name;
  }
  return resolved;
}

/** Rejects two options that name the same attribute, since each field needs its own. */
function checkDistinctNames(options: ResolvedOptions): void {
  const seen = new Map<string, string>([[options.partitionKey, 'keySchema.partitionKey']]);
  if (options.sortKey !== undefined) addName(seen, options.sortKey, 'keySchema.sortKey');
  for (const [field, name] of Object.entries(options.attributeNames)) addName(seen, name, `attributeNames.${field}`);
}

function addName(seen: Map<string, string>, name: string, option: string): void {
  const other = seen.get(name);
  if (other !== undefined) {
    throw configError(`${other} and ${option} are both ${JSON.stringify(name)}; give every attribute its own name.`);
  }
  seen.set(name, option);
}

/** Creates an `IdempotencyConfigError` whose message starts with the adapter's name. */
export function configError(message: string): IdempotencyConfigError {
  return new IdempotencyConfigError(`${LABEL}: ${message}`);
}
