import { type HttpEventLike, IdempotencyKeyInvalidError, readHeader, type Selector } from '@idemkit/idempotency-core';

import type { ResolvedHttpMode } from './options.js';

/**
 * The key selector of the HTTP mode: reads the key header and returns the key it carries, or
 * `undefined` when the header is absent. A malformed key raises `IdempotencyKeyInvalidError`.
 */
export function keyFromHeader(mode: ResolvedHttpMode): Selector<unknown> {
  return (event) => {
    const value = readHeaderValue(event as HttpEventLike, mode.keyHeader);
    return value === undefined ? undefined : parseIdempotencyKey(value, mode);
  };
}

// Errors raised while reading the key header. Their messages name the rule that failed and
// never repeat the header's value, so they may be sent to the client.
const headerErrors = new WeakSet<object>();

/** True for an error raised while reading the key header, whose message may reach the client. */
export function isHeaderKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && headerErrors.has(error);
}

function readHeaderValue(event: HttpEventLike, lowercaseName: string): string | undefined {
  try {
    return readHeader(event, lowercaseName);
  } catch (error) {
    // readHeader rejects a repeated or non-string header with a message that states only that.
    if (typeof error === 'object' && error !== null) headerErrors.add(error);
    throw error;
  }
}

/**
 * Parses an `Idempotency-Key` header value. Two forms are accepted, and give the same key:
 * the structured-field string of RFC 8941 (`"abc"`, with `\"` and `\\` escapes) and a bare
 * value (`abc`). The key is printable ASCII: a bare value has no spaces, quotes or commas, and
 * neither form has control or non-ASCII characters. Surrounding spaces and tabs are ignored.
 *
 * @example
 * ```ts
 * parseIdempotencyKey('"8e03978e-40d5"', { keyHeader: 'idempotency-key', maxKeyLength: 255 }); // '8e03978e-40d5'
 * ```
 */
export function parseIdempotencyKey(headerValue: string, mode: ResolvedHttpMode): string {
  const trimmed = headerValue.replace(/^[ \t]+|[ \t]+$/g, '');
  const key = trimmed.startsWith('"') ? unquote(trimmed, mode.keyHeader) : checkBare(trimmed, mode.keyHeader);
  if (key.length === 0) throw invalidKey(mode.keyHeader, 'is empty');
  if (key.length > mode.maxKeyLength) {
    throw invalidKey(mode.keyHeader, `is ${key.length} characters long; the maximum is ${mode.maxKeyLength}`);
  }
  return key;
}

function checkBare(value: string, header: string): string {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    // An HTTP API joins a repeated header with commas, so a comma most likely means two keys.
    if (code === 0x2c) throw invalidKey(header, 'contains a comma; send one key, once');
    if (code === 0x22) throw invalidKey(header, 'has a quote inside; quote the whole key or none of it');
    if (code < 0x21 || code > 0x7e) throw invalidKey(header, `has a character that is not visible ASCII at position ${index + 1}`);
  }
  return value;
}

function unquote(value: string, header: string): string {
  let key = '';
  for (let index = 1; index < value.length; index++) {
    const character = value.charAt(index);
    if (character === '"') {
      if (index !== value.length - 1) throw invalidKey(header, 'has characters after its closing quote');
      return key;
    }
    if (character === '\\') {
      const escaped = value.charAt(index + 1);
      if (escaped !== '"' && escaped !== '\\') throw invalidKey(header, 'has a backslash that escapes neither a quote nor a backslash');
      key += escaped;
      index++;
      continue;
    }
    const code = value.charCodeAt(index);
    if (code < 0x20 || code > 0x7e) throw invalidKey(header, `has a character that is not printable ASCII at position ${index + 1}`);
    key += character;
  }
  throw invalidKey(header, 'has no closing quote');
}

function invalidKey(header: string, problem: string): IdempotencyKeyInvalidError {
  const error = new IdempotencyKeyInvalidError(
    `The ${header} header ${problem}. Send a key of printable ASCII characters, bare or as a quoted string.`,
  );
  headerErrors.add(error);
  return error;
}
