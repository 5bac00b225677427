import { IdempotencyError, IdempotencyInProgressError } from '@idemkit/idempotency-core';

import { isHeaderKeyError } from './http-key.js';
import { type HttpRequestEvent, usesMultiValueHeaders } from './http-request.js';

/**
 * The header that marks a replayed response, with the value `true`.
 *
 * @example
 * ```ts
 * const replayed = response.headers?.[REPLAYED_HEADER] === 'true';
 * ```
 */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * A Lambda proxy response: API Gateway, function URL or ALB. The HTTP mode stores and replays
 * results of this shape.
 *
 * @example
 * ```ts
 * const created: HttpResponseLike = { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: '{}' };
 * ```
 */
export interface HttpResponseLike {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly multiValueHeaders?: Readonly<Record<string, unknown>>;
  readonly [member: string]: unknown;
}

// Hop-by-hop headers (RFC 9110 section 7.6.1, plus the older ones of RFC 2616) describe one
// connection, and Date describes one moment: neither belongs in a replay.
const UNSTORED_HEADERS = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'date',
]);

/** True for an object shaped like a proxy response: it has a numeric `statusCode`. */
export function isHttpResponse(value: unknown): value is HttpResponseLike {
  return typeof value === 'object' && value !== null && typeof (value as { statusCode?: unknown }).statusCode === 'number';
}

/** Decides what the HTTP mode stores by default: every result but a 5xx response. */
export function storeUnlessServerError(result: unknown): boolean {
  return !isHttpResponse(result) || result.statusCode < 500;
}

/**
 * Builds the stored form of a handler's response: the same members, without `Date`, hop-by-hop
 * headers and the headers that `Connection` names. Results that are not responses are stored as
 * they are.
 */
export function storedResponse(result: unknown): unknown {
  if (!isHttpResponse(result)) return result;
  const dropped = new Set(UNSTORED_HEADERS);
  for (const name of connectionOptions(result)) dropped.add(name);

  const stored: Record<string, unknown> = { ...result };
  if (isObject(result.headers)) stored.headers = withoutHeaders(result.headers, dropped);
  if (isObject(result.multiValueHeaders)) stored.multiValueHeaders = withoutHeaders(result.multiValueHeaders, dropped);
  return stored;
}

/**
 * A stored response as a replay returns it: `Idempotent-Replayed: true` is added (to
 * `multiValueHeaders` when the response uses only those). Other results are returned as they are.
 */
export function replayedResponse(stored: unknown): unknown {
  if (!isHttpResponse(stored)) return stored;
  const marker = new Set([REPLAYED_HEADER.toLowerCase()]);
  if (isObject(stored.multiValueHeaders) && !isObject(stored.headers)) {
    const multiValueHeaders = { ...withoutHeaders(stored.multiValueHeaders, marker), [REPLAYED_HEADER]: ['true'] };
    return { ...stored, multiValueHeaders };
  }
  const headers = { ...(isObject(stored.headers) ? withoutHeaders(stored.headers, marker) : {}), [REPLAYED_HEADER]: 'true' };
  return { ...stored, headers };
}

interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly code: string;
  readonly retryAfterSeconds?: number;
}

/**
 * Builds the `application/problem+json` response (RFC 9457) for an error that the middleware
 * raised. The detail is fixed text per outcome and never repeats the request, and `code` is the
 * idemkit error code.
 */
export function problemResponse(error: unknown, event: HttpRequestEvent | undefined): HttpResponseLike {
  const problem = problemFor(error);
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' };
  if (problem.retryAfterSeconds !== undefined) headers['Retry-After'] = String(problem.retryAfterSeconds);
  const body = JSON.stringify({ type: 'about:blank', title: problem.title, status: problem.status, detail: problem.detail, code: problem.code });

  if (!usesMultiValueHeaders(event)) return { statusCode: problem.status, headers, body };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  return { statusCode: problem.status, multiValueHeaders, body };
}

function problemFor(error: unknown): Problem {
  if (IdempotencyInProgressError.is(error)) {
    return {
      status: 409,
      title: 'Conflict',
      detail: `A request with this idempotency key is still being processed; retry after ${error.retryAfterSeconds} s.`,
      code: error.code,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (!IdempotencyError.is(error)) return internalError('INTERNAL');

  switch (error.code) {
    case 'PAYLOAD_MISMATCH':
      return {
        status: 422,
        title: 'Unprocessable Content',
        detail: 'This idempotency key was already used for a different request (method, path or body); use a new key for a new request.',
        code: error.code,
      };
    case 'KEY_MISSING':
      return { status: 400, title: 'Bad Request', detail: 'This request needs an idempotency key header.', code: error.code };
    case 'KEY_INVALID':
      return {
        status: 400,
        title: 'Bad Request',
        // Only messages written by this package are known never to repeat request data.
        detail: isHeaderKeyError(error) ? error.message : 'No idempotency key or fingerprint can be derived from this request.',
        code: error.code,
      };
    case 'PERSISTENCE':
      return { status: 503, title: 'Service Unavailable', detail: 'The idempotency store is unavailable; retry later.', code: error.code };
    default:
      return internalError(error.code);
  }
}

function internalError(code: string): Problem {
  return { status: 500, title: 'Internal Server Error', detail: 'The request could not be made idempotent.', code };
}

function connectionOptions(response: HttpResponseLike): string[] {
  const names: string[] = [];
  for (const headers of [response.headers, response.multiValueHeaders]) {
    if (!isObject(headers)) continue;
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== 'connection') continue;
      for (const item of [value].flat()) {
        if (typeof item === 'string') names.push(...item.split(',').map((option) => option.trim().toLowerCase()));
      }
    }
  }
  return names;
}

function withoutHeaders(headers: Readonly<Record<string, unknown>>, lowercaseNames: ReadonlySet<string>): Record<string, unknown> {
  // Object.fromEntries defines own members, so a header named __proto__ stays a plain member.
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !lowercaseNames.has(name.toLowerCase())));
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}
