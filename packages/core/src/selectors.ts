import { IdempotencyKeyInvalidError } from './errors.js';
import type { Selector } from './options.js';

/**
 * The parts of API Gateway (REST and HTTP APIs), Lambda function URL and ALB events that the
 * ready selectors read.
 */
export interface HttpEventLike {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly body?: unknown;
  /** The unparsed body, which `@middy/http-json-body-parser` keeps beside the parsed one. */
  readonly rawBody?: unknown;
  readonly isBase64Encoded?: boolean;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
}

/** Options of {@link fromBody}: how the body becomes key material. */
export interface BodySelectorOptions {
  /**
   * `json` (default): parse a JSON-string body, so formatting and member order never change the
   * key; a body that is not JSON is rejected. `raw`: the body string exactly as received (the
   * base64 text when the event is flagged base64); any byte of difference gives another key.
   */
  readonly decode?: 'json' | 'raw';
}

/**
 * Selects a header, case-insensitively, from `headers` and `multiValueHeaders`. A header sent
 * more than once with different values, or that is not a string, is rejected.
 *
 * @example
 * ```ts
 * makeIdempotent(handler, { persistence, key: fromHeader('Idempotency-Key') });
 * ```
 */
export function fromHeader(name: string): Selector<unknown> {
  const lowercaseName = name.toLowerCase();
  return (input) => readHeader(input as HttpEventLike, lowercaseName);
}

/**
 * Selects the body, or a member of it, as key material. JSON-string bodies are parsed and
 * base64 bodies decoded first (see {@link BodySelectorOptions}). `path` is a dot-separated
 * member path (`'order.id'`) or an array of member names; only own members are followed.
 *
 * @example
 * ```ts
 * makeIdempotent(handler, { persistence, key: fromBody('orderId') });
 * ```
 */
export function fromBody(path?: string | readonly string[], options: BodySelectorOptions = {}): Selector<unknown> {
  const segments = typeof path === 'string' ? path.split('.') : (path ?? []);
  const decode = options.decode ?? 'json';
  if (decode === 'raw' && segments.length > 0) {
    throw new IdempotencyKeyInvalidError(`fromBody: decode "raw" takes the whole body, so it cannot select ${JSON.stringify(path)}; use decode "json".`);
  }
  return (input) => {
    const body = decode === 'raw' ? rawBody(input as HttpEventLike) : jsonBody(input as HttpEventLike);
    return memberAt(body, segments);
  };
}

/**
 * Selects a path parameter (`pathParameters[name]`).
 *
 * @example
 * ```ts
 * makeIdempotent(handler, { persistence, key: fromPathParameter('paymentId') });
 * ```
 */
export function fromPathParameter(name: string): Selector<unknown> {
  return (input) => {
    const parameters = (input as HttpEventLike | undefined)?.pathParameters;
    return parameters != null && Object.hasOwn(parameters, name) ? parameters[name] : undefined;
  };
}

/**
 * Reads one header by its lowercase name. Returns `undefined` when it is absent; rejects a
 * header with several different values or a value that is not a string.
 */
export function readHeader(event: HttpEventLike | undefined, lowercaseName: string): string | undefined {
  const values = new Set<unknown>();
  collect(values, event?.headers, lowercaseName, false);
  collect(values, event?.multiValueHeaders, lowercaseName, true);
  if (values.size === 0) return undefined;
  if (values.size > 1) {
    throw new IdempotencyKeyInvalidError(`The ${lowercaseName} header was sent ${values.size} times with different values; send it once.`);
  }
  const [value] = values;
  if (typeof value !== 'string') {
    throw new IdempotencyKeyInvalidError(`The ${lowercaseName} header must be a string, got ${typeof value}.`);
  }
  return value;
}

function collect(values: Set<unknown>, headers: unknown, lowercaseName: string, multiValue: boolean): void {
  if (typeof headers !== 'object' || headers === null) return;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== lowercaseName) continue;
    const value = (headers as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    if (multiValue && Array.isArray(value)) for (const item of value) values.add(item);
    else values.add(value);
  }
}

// Parsed bodies by event, so that the key and payload selectors parse a body once.
const parsedBodies = new WeakMap<object, unknown>();

/** Returns the body as a value: parsed from a JSON string (base64-decoded first when flagged), or as given. */
export function jsonBody(event: HttpEventLike | undefined): unknown {
  const body = event?.body;
  if (typeof body !== 'string') return body ?? undefined;
  if (parsedBodies.has(event as object)) return parsedBodies.get(event as object);

  const text = event?.isBase64Encoded === true ? decodeBase64(body) : body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new IdempotencyKeyInvalidError(
      'The request body is not valid JSON, so no key can be derived from it; send JSON, or select the body with decode "raw".',
      { cause: error },
    );
  }
  parsedBodies.set(event as object, parsed);
  return parsed;
}

function rawBody(event: HttpEventLike | undefined): string | undefined {
  const body = event?.body;
  if (typeof body === 'string') return body;
  if (body === undefined || body === null) return undefined;
  if (typeof event?.rawBody === 'string') return event.rawBody;
  throw new IdempotencyKeyInvalidError(
    'decode "raw" needs the unparsed body, but the body is already parsed and the event has no rawBody; run the idempotency step before the body parser, or use decode "json".',
  );
}

function memberAt(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBase64(text: string): string {
  try {
    return utf8.decode(Uint8Array.from(atob(text), (character) => character.charCodeAt(0)));
  } catch (error) {
    throw new IdempotencyKeyInvalidError('The request body is flagged base64 but is not base64-encoded UTF-8 text.', { cause: error });
  }
}
