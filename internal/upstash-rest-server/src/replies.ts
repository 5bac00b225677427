import { ReplyError } from 'ioredis';

/**
 * A Redis reply as the connections return it, with RESP2, `stringNumbers` and no reply
 * transformers. Bulk and status strings are bytes, integers their decimal text, nil is null.
 * Errors nested in arrays, such as the slots of an `EXEC` reply, are `ReplyError`s.
 */
export type RedisReply = Buffer | string | number | null | Error | readonly RedisReply[];

/** One slot of a response: a result, or the text of a Redis error. */
export type ResponseEntry = { readonly result: unknown } | { readonly error: string };

/** Tells whether a rejection carries an error reply from Redis, as opposed to a connection failure. */
export function isRedisErrorReply(error: unknown): error is Error {
  return error instanceof ReplyError;
}

// JSON.rawJSON (Node.js 21 and later) is missing from TypeScript's es2023 lib.
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

const OK = Buffer.from('OK');

/**
 * Converts a reply to the value that goes under `result`. With `base64`, every string is the
 * base64 of its bytes except the status `OK`, as Upstash does for `Upstash-Encoding: base64`.
 * Without it, strings are decoded as UTF-8, so invalid bytes become U+FFFD.
 */
export function toResult(reply: RedisReply, base64: boolean): unknown {
  if (reply === null || typeof reply === 'number') return reply;

  // Integer text goes out as a raw JSON number, so integers past 2^53 keep every digit.
  if (typeof reply === 'string') return rawJson(reply);
  if (Buffer.isBuffer(reply)) return encodeString(reply, base64);
  if (reply instanceof Error) {
    // NOTE: Redis nests an error below the top level only in Lua tables. What Upstash returns
    // there is unknown, so the message goes out as a string.
    return encodeString(Buffer.from(reply.message, 'utf8'), base64);
  }
  return reply.map((item) => toResult(item, base64));
}

/** Converts one slot of an `EXEC` reply, where Redis puts runtime errors in their slot. */
export function toEntry(reply: RedisReply, base64: boolean): ResponseEntry {
  if (reply instanceof Error) return { error: reply.message };
  return { result: toResult(reply, base64) };
}

function encodeString(bytes: Buffer, base64: boolean): string {
  if (!base64) return bytes.toString('utf8');
  return bytes.equals(OK) ? 'OK' : bytes.toString('base64');
}
