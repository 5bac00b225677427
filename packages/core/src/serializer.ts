import { parse, stringify } from 'devalue';

import { IdempotencySerializationError } from './errors.js';

/**
 * Turns results into the strings that persistence layers store, and back.
 *
 * @example
 * ```ts
 * const jsonOnly: ResultSerializer = {
 *   serialize: (value) => JSON.stringify(value),
 *   deserialize: (text) => JSON.parse(text),
 * };
 * makeIdempotent(fn, { persistence, serializer: jsonOnly });
 * ```
 */
export interface ResultSerializer {
  /** Returns the stored form of `value`; throws when `value` cannot be stored. */
  serialize(value: unknown): string;
  deserialize(text: string): unknown;
}

// First character of the default serializer's output: the format of the rest.
const UNDEFINED = 'u';
const JSON_TEXT = 'j';
const DEVALUE_TEXT = 'd';

/**
 * The default serializer. Plain JSON values (the common case) are stored as JSON text. Anything
 * else that `devalue` supports round-trips exactly through it: `undefined` (also as a member),
 * `-0`, NaN, ±Infinity, `Date`, BigInt, `Map`, `Set`, `RegExp`, `URL`, typed arrays,
 * `ArrayBuffer`, Node.js `Buffer`, sparse arrays, shared and cyclic references. Class instances,
 * functions and symbols raise `IdempotencySerializationError`.
 *
 * @example
 * ```ts
 * const text = defaultSerializer.serialize({ at: new Date(0) });
 * defaultSerializer.deserialize(text); // { at: Date(0) }
 * ```
 */
export const defaultSerializer: ResultSerializer = {
  serialize(value: unknown): string {
    if (value === undefined) return UNDEFINED;
    if (isPlainJson(value, [])) return JSON_TEXT + JSON.stringify(value);
    try {
      return DEVALUE_TEXT + stringify(value, reducers);
    } catch (error) {
      const path = (error as { path?: unknown }).path;
      const where = typeof path === 'string' && path !== '' ? ` at ${path}` : '';
      throw new IdempotencySerializationError(
        `Cannot store the result: ${(error as Error).message}${where}. Return plain data (JSON values, Date, Map, Set, BigInt, typed arrays) or pass a serializer that handles it.`,
        { reason: 'unserializable', cause: error },
      );
    }
  },

  deserialize(text: string): unknown {
    switch (text[0]) {
      case UNDEFINED:
        return undefined;
      case JSON_TEXT:
        return JSON.parse(text.slice(1));
      case DEVALUE_TEXT:
        return parse(text.slice(1), revivers);
      default:
        throw new IdempotencySerializationError(
          `Cannot read a stored result: it starts with ${JSON.stringify(text.slice(0, 1))}, which the default serializer never writes. It was stored with another serializer; pass that one, or delete the record.`,
          { reason: 'unreadable' },
        );
    }
  },
};

type BufferConstructorLike = {
  isBuffer(value: unknown): boolean;
  from(text: string, encoding: 'base64'): Uint8Array;
};

// Buffer exists only on Node.js-like runtimes; elsewhere a stored Buffer reads back as a
// Uint8Array with the same bytes.
const BufferClass = (globalThis as { Buffer?: BufferConstructorLike }).Buffer;

const reducers = {
  Buffer: (value: unknown): string | false => {
    if (BufferClass === undefined || !BufferClass.isBuffer(value)) return false;
    return (value as Uint8Array & { toString(encoding: 'base64'): string }).toString('base64');
  },
};

const revivers = {
  Buffer: (base64: string): Uint8Array => {
    if (BufferClass !== undefined) return BufferClass.from(base64, 'base64');
    return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  },
};

/** True when `JSON.parse(JSON.stringify(value))` gives back a value deep-equal to `value`. */
function isPlainJson(value: unknown, ancestors: object[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON writes -0 as 0 and non-finite numbers as null.
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false;
  }

  if (value === null) return true;
  if (ancestors.includes(value)) return false;

  ancestors.push(value);
  const plain = Array.isArray(value) ? isPlainJsonArray(value, ancestors) : isPlainJsonObject(value, ancestors);
  ancestors.pop();
  return plain;
}

function isPlainJsonArray(items: unknown[], ancestors: object[]): boolean {
  if (Object.getPrototypeOf(items) !== Array.prototype) return false;
  for (let index = 0; index < items.length; index++) {
    // `index in items` is false for a hole, which JSON would turn into null.
    if (!(index in items) || !isPlainJson(items[index], ancestors)) return false;
  }
  return true;
}

function isPlainJsonObject(object: object, ancestors: object[]): boolean {
  if (Object.getPrototypeOf(object) !== Object.prototype) return false;
  for (const name in object) {
    if (!Object.hasOwn(object, name)) return false;
    if (!isPlainJson((object as Record<string, unknown>)[name], ancestors)) return false;
  }
  return true;
}
