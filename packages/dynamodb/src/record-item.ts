import { IdempotencyPersistenceError, type IdempotencyRecord, type StepResults } from '@idemkit/idempotency-core';

import type { ResolvedOptions } from './options.js';

/** An item as the document client returns it. */
export type Item = Readonly<Record<string, unknown>>;

const STATUSES: readonly string[] = ['IN_PROGRESS', 'COMPLETED'];

/** Builds the primary key of the item for the record `key`. */
export function itemKey(options: ResolvedOptions, key: string): Record<string, string> {
  if (options.sortKey === undefined) return { [options.partitionKey]: key };
  return { [options.partitionKey]: options.partitionKeyValue as string, [options.sortKey]: key };
}

/** Epoch seconds for DynamoDB TTL, rounded down so that DynamoDB never keeps an item past `expiresAt`. */
export function ttlSeconds(expiresAtMs: number): number {
  return Math.floor(expiresAtMs / 1000);
}

/**
 * Reads an item into a record. The lease is capped at the expiry, because `extend` may store a
 * later lease when it does not know the expiry (see `DynamoDBPersistenceLayer.extend`).
 * Throws `IdempotencyPersistenceError` for an item that lacks a field or has a field of another type.
 */
export function toRecord(options: ResolvedOptions, key: string, item: Item): IdempotencyRecord {
  const names = options.attributeNames;
  const read = new ItemReader(options, key, item);

  const status = read.string(names.status);
  if (!STATUSES.includes(status)) read.fail(names.status, `holds ${JSON.stringify(status.slice(0, 20))}, not IN_PROGRESS or COMPLETED`);
  const expiresAt = read.number(names.expiresAt);
  const payloadHash = read.optionalString(names.payloadHash);
  const response = read.optionalString(names.response);

  return {
    key,
    status: status as IdempotencyRecord['status'],
    expiresAt,
    leaseExpiresAt: Math.min(read.number(names.leaseExpiresAt), expiresAt),
    leaseToken: read.string(names.leaseToken),
    ...(payloadHash === undefined ? {} : { payloadHash }),
    ...(response === undefined ? {} : { response }),
    steps: read.steps(names.steps),
  };
}

/** Reads typed attributes of one item, and names the item and attribute when one does not fit. */
class ItemReader {
  readonly #options: ResolvedOptions;
  readonly #key: string;
  readonly #item: Item;

  constructor(options: ResolvedOptions, key: string, item: Item) {
    this.#options = options;
    this.#key = key;
    this.#item = item;
  }

  string(name: string): string {
    const value = this.#item[name];
    if (typeof value !== 'string') this.fail(name, describeValue(value, 'a string'));
    return value as string;
  }

  optionalString(name: string): string | undefined {
    return this.#item[name] === undefined ? undefined : this.string(name);
  }

  number(name: string): number {
    const value = this.#item[name];
    const number = numberValue(value);
    if (!Number.isFinite(number)) this.fail(name, describeValue(value, 'a number'));
    return number;
  }

  steps(name: string): StepResults {
    const value = this.#item[name];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(name, describeValue(value, 'a map'));
    const steps: Record<string, string> = {};
    for (const [step, result] of Object.entries(value as object)) {
      if (typeof result !== 'string') this.fail(name, `holds step ${JSON.stringify(step.slice(0, 40))} as ${typeof result}, not a string`);
      steps[step] = result as string;
    }
    return steps;
  }

  fail(name: string, problem: string): never {
    throw new IdempotencyPersistenceError(
      `DynamoDBPersistenceLayer: the item for ${this.#key} in table ${this.#options.tableName} is not an idemkit record: attribute "${name}" ${problem}. Check attributeNames, or delete the item.`,
      { key: this.#key },
    );
  }
}

/**
 * Reads a number attribute value, also when the client's `unmarshallOptions.wrapNumbers` made it
 * a `NumberValue` or a bigint. Returns NaN for anything else.
 */
export function numberValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const text = typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : undefined;
  return typeof text === 'string' ? Number(text) : Number.NaN;
}

function describeValue(value: unknown, expected: string): string {
  return value === undefined ? 'is missing' : `is ${Array.isArray(value) ? 'a list' : typeof value}, not ${expected}`;
}
