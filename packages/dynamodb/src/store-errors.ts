import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { IdempotencyPersistenceError, IdempotencySerializationError } from '@idemkit/idempotency-core';

import { MAX_ITEM_BYTES } from './item-size.js';
import type { Item } from './record-item.js';

// The SDK's error names, which it documents as the error's type. `instanceof` alone fails when a
// second copy of @aws-sdk/client-dynamodb (one bundled beside the Lambda runtime's) threw it.
const CONDITION_FAILED = 'ConditionalCheckFailedException';
const VALIDATION = 'ValidationException';
// DynamoDB's messages for an item over 400 KB: "Item size has exceeded the maximum allowed size"
// (PutItem) and "Item size to update has exceeded the maximum allowed size" (UpdateItem).
const ITEM_TOO_LARGE = /^Item size (to update )?has exceeded the maximum allowed size/;

/** True when a conditional write failed because its condition was false. */
export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException || (error as Error | undefined)?.name === CONDITION_FAILED;
}

/**
 * Unmarshalls the item that a failed condition returned (`ReturnValuesOnConditionCheckFailure:
 * ALL_OLD`), because lib-dynamodb unmarshalls results but not error payloads.
 */
export function failedConditionItem(error: ConditionalCheckFailedException): Item | undefined {
  return error.Item === undefined ? undefined : unmarshall(error.Item);
}

/** True when DynamoDB rejected a write because the item would pass 400 KB. */
export function isItemTooLarge(error: unknown): boolean {
  const { name, message } = (error ?? {}) as Partial<Error>;
  return name === VALIDATION && typeof message === 'string' && ITEM_TOO_LARGE.test(message);
}

/** Rejects a write whose item would pass DynamoDB's limit; nothing was stored. */
export function tooLargeError(operation: string, key: string, sizeBytes: number | undefined, cause?: unknown): IdempotencySerializationError {
  const size = sizeBytes === undefined ? 'more than' : `${sizeBytes} bytes, more than`;
  return new IdempotencySerializationError(
    `DynamoDBPersistenceLayer: ${operation} of ${key} was not stored: the item would be ${size} DynamoDB's item limit of ${MAX_ITEM_BYTES} bytes (400 KB). Return a smaller result, or store large data elsewhere (S3) and return its reference.`,
    { reason: 'too-large', key, limitBytes: MAX_ITEM_BYTES, ...(sizeBytes === undefined ? {} : { sizeBytes }), ...(cause === undefined ? {} : { cause }) },
  );
}

/** Wraps a failure of the SDK (after its own retries) with the operation, table and key. */
export function storeFailure(operation: string, tableName: string, key: string, error: unknown): IdempotencySerializationError | IdempotencyPersistenceError {
  if (isItemTooLarge(error)) return tooLargeError(operation, key, undefined, error);

  const { name, message } = error instanceof Error ? error : { name: typeof error, message: String(error) };
  const attempts = (error as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  const tries = typeof attempts === 'number' ? ` after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}` : '';
  return new IdempotencyPersistenceError(
    `DynamoDBPersistenceLayer: ${operation} of ${key} on table ${tableName} failed${tries}: ${name}: ${message}`,
    { cause: error, key },
  );
}
