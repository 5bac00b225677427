import type { IdempotencyRecord, IdempotencyRecordStatusValue, StepResults } from '@idemkit/idempotency-core';

import { REPLY_STRING_PREFIX, STEP_FIELD_PREFIX } from './lua.js';

/**
 * A script reply that does not have the shape the scripts produce: the key contains
 * something other than an idemkit record, or the client changed the reply on its way.
 *
 * @example
 * ```ts
 * if (error instanceof ScriptReplyError) throw new IdempotencyPersistenceError(error.message, { cause: error });
 * ```
 */
export class ScriptReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptReplyError';
  }
}

const STATUSES: readonly string[] = ['IN_PROGRESS', 'COMPLETED'] satisfies IdempotencyRecordStatusValue[];

/** Reads a reply that must be the integer 0 or 1, as the fenced writes return. */
export function decodeFlag(reply: unknown): boolean {
  if (reply === 1) return true;
  if (reply === 0) return false;
  throw new ScriptReplyError(`Expected the integer 0 or 1 from the script, got ${describeReply(reply)}.`);
}

/** Reads a list reply of prefixed field/value strings, starting at `start`, into a map. */
export function decodeFields(reply: unknown, start = 0): Map<string, string> {
  if (!Array.isArray(reply)) throw new ScriptReplyError(`Expected a list from the script, got ${describeReply(reply)}.`);
  if ((reply.length - start) % 2 !== 0) throw new ScriptReplyError(`Expected field/value pairs from the script, got ${reply.length - start} items.`);

  const fields = new Map<string, string>();
  for (let index = start; index < reply.length; index += 2) {
    fields.set(unprefix(reply[index]), unprefix(reply[index + 1]));
  }
  return fields;
}

/** Collects the `step:<name>` fields into step results by name. */
export function decodeSteps(fields: ReadonlyMap<string, string>): StepResults {
  const steps: Record<string, string> = {};
  for (const [field, value] of fields) {
    if (field.startsWith(STEP_FIELD_PREFIX)) steps[field.slice(STEP_FIELD_PREFIX.length)] = value;
  }
  return steps;
}

/** Builds the record under core key `key` from its hash fields. */
export function decodeRecord(key: string, fields: ReadonlyMap<string, string>): IdempotencyRecord {
  const status = fields.get('status');
  const leaseToken = fields.get('leaseToken');
  if (status === undefined || !STATUSES.includes(status)) throw new ScriptReplyError(`Record ${key} has the status ${describeField(status)}; expected IN_PROGRESS or COMPLETED.`);
  if (leaseToken === undefined) throw new ScriptReplyError(`Record ${key} has no leaseToken field.`);

  const payloadHash = fields.get('payloadHash');
  const response = fields.get('response');
  return {
    key,
    status: status as IdempotencyRecordStatusValue,
    expiresAt: decodeInstant(key, 'expiresAt', fields.get('expiresAt')),
    leaseExpiresAt: decodeInstant(key, 'leaseExpiresAt', fields.get('leaseExpiresAt')),
    leaseToken,
    ...(payloadHash === undefined ? {} : { payloadHash }),
    ...(response === undefined ? {} : { response }),
    steps: decodeSteps(fields),
  };
}

function decodeInstant(key: string, field: string, text: string | undefined): number {
  const instant = text === undefined || !/^\d+$/.test(text) ? Number.NaN : Number(text);
  if (Number.isSafeInteger(instant)) return instant;
  throw new ScriptReplyError(`Record ${key} has ${field} ${describeField(text)}; expected epoch milliseconds.`);
}

function unprefix(item: unknown): string {
  if (typeof item === 'string' && item.startsWith(REPLY_STRING_PREFIX)) return item.slice(REPLY_STRING_PREFIX.length);
  throw new ScriptReplyError(
    `Expected a string starting with ${JSON.stringify(REPLY_STRING_PREFIX)} in the script reply, got ${describeReply(item)}. Pass replies on as the client returned them.`,
  );
}

/** Renders a reply item for an error message without its content, which may be a stored response. */
function describeReply(item: unknown): string {
  if (item === null || item === undefined || typeof item === 'number') return String(item);
  if (typeof item === 'string') return `a string of ${item.length} characters`;
  if (Array.isArray(item)) return `a list of ${item.length} items`;
  return `a value of type ${typeof item}`;
}

/** Renders a status or time field, which never contains stored content, for an error message. */
function describeField(text: string | undefined): string {
  return text === undefined ? 'missing' : JSON.stringify(text.slice(0, 30));
}
