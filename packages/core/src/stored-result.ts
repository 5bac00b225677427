import { IdempotencyError, IdempotencySerializationError } from './errors.js';
import type { ResultSerializer } from './serializer.js';

/** A stored outcome, decoded: the function's result, or an error that `storeErrors` kept. */
export type StoredOutcome = { readonly kind: 'result'; readonly value: unknown } | { readonly kind: 'error'; readonly error: Error };

// First character of a stored response: what the rest is. The rest is the serializer's output.
const RESULT = 'r';
const ERROR = 'e';

/** Encodes a result for the store; serializer failures become `IdempotencySerializationError`. */
export function encodeResult(serializer: ResultSerializer, value: unknown): string {
  return RESULT + serialize(serializer, value);
}

/** Encodes an error for the store: its name, message and own enumerable properties. */
export function encodeError(serializer: ResultSerializer, error: unknown): string {
  const shape = error instanceof Error ? { ...error, name: error.name, message: error.message } : { name: 'Error', message: String(error) };
  return ERROR + serialize(serializer, shape);
}

/** Decodes a stored response into the outcome it records. */
export function decodeOutcome(serializer: ResultSerializer, response: string): StoredOutcome {
  const body = response.slice(1);
  if (response[0] === RESULT) return { kind: 'result', value: deserialize(serializer, body) };
  if (response[0] === ERROR) return { kind: 'error', error: reviveError(deserialize(serializer, body)) };
  throw new IdempotencySerializationError(
    'Cannot read a stored response: it was not written by this version of idemkit. Delete the record or let it expire.',
    { reason: 'unreadable' },
  );
}

/** Returns the stored result, or throws the stored error. */
export function replayOutcome(outcome: StoredOutcome): unknown {
  if (outcome.kind === 'error') throw outcome.error;
  return outcome.value;
}

function serialize(serializer: ResultSerializer, value: unknown): string {
  let text: unknown;
  try {
    text = serializer.serialize(value);
  } catch (error) {
    if (IdempotencySerializationError.is(error)) throw error;
    throw new IdempotencySerializationError(`The serializer rejected the result: ${(error as Error)?.message ?? String(error)}.`, { reason: 'unserializable', cause: error });
  }
  if (typeof text !== 'string') {
    throw new IdempotencySerializationError(`The serializer must return a string, but returned ${typeof text}.`, { reason: 'unserializable' });
  }
  return text;
}

function deserialize(serializer: ResultSerializer, text: string): unknown {
  try {
    return serializer.deserialize(text);
  } catch (error) {
    if (IdempotencyError.is(error)) throw error;
    throw new IdempotencySerializationError(`Cannot read a stored result: ${(error as Error)?.message ?? String(error)}.`, { reason: 'unreadable', cause: error });
  }
}

function reviveError(shape: unknown): Error {
  const fields = typeof shape === 'object' && shape !== null ? (shape as Record<string, unknown>) : {};
  const error = new Error(typeof fields.message === 'string' ? fields.message : 'Stored error');
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'message' || name === 'stack' || name === '__proto__') continue;
    Object.defineProperty(error, name, { value, writable: true, enumerable: name !== 'name', configurable: true });
  }
  return error;
}
