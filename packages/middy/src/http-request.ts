import type { Selector } from '@idemkit/idempotency-core';

/** The members of API Gateway (REST, HTTP), function URL and ALB events that the HTTP mode reads. */
export interface HttpRequestEvent {
  readonly httpMethod?: unknown;
  readonly path?: unknown;
  readonly rawPath?: unknown;
  readonly body?: unknown;
  readonly isBase64Encoded?: unknown;
  readonly multiValueHeaders?: unknown;
  readonly requestContext?: { readonly http?: { readonly method?: unknown; readonly path?: unknown }; readonly elb?: unknown } | null;
}

/** The request method: `requestContext.http.method` (HTTP API, function URL) or `httpMethod` (REST API, ALB). */
export function requestMethod(event: HttpRequestEvent | undefined): string | undefined {
  const method = event?.requestContext?.http?.method ?? event?.httpMethod;
  return typeof method === 'string' ? method.toUpperCase() : undefined;
}

/** The request path: `rawPath` (HTTP API, function URL) or `path` (REST API, ALB). */
export function requestPath(event: HttpRequestEvent | undefined): string | undefined {
  const path = event?.rawPath ?? event?.requestContext?.http?.path ?? event?.path;
  return typeof path === 'string' ? path : undefined;
}

/** True for an ALB event whose target group has multi-value headers on, so responses must use them too. */
export function usesMultiValueHeaders(event: HttpRequestEvent | undefined): boolean {
  return event?.requestContext?.elb !== undefined && typeof event?.multiValueHeaders === 'object' && event.multiValueHeaders !== null;
}

/**
 * The default fingerprint of the HTTP mode: method, path and body. A JSON body counts by its
 * value, so formatting and member order never change it, and a body that
 * `@middy/http-json-body-parser` already parsed gives the same fingerprint as the string it
 * came from. Any other body counts byte for byte (base64 bodies after decoding).
 */
export const requestFingerprint: Selector<unknown> = (event) => {
  const request = event as HttpRequestEvent | undefined;
  return { method: requestMethod(request), path: requestPath(request), body: bodyFingerprint(request) };
};

function bodyFingerprint(event: HttpRequestEvent | undefined): unknown {
  const body = event?.body;
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'string') return { json: body };

  const text = event?.isBase64Encoded === true ? decodeBase64Text(body) : body;
  if (text === undefined) return { base64: body };
  try {
    return { json: JSON.parse(text) };
  } catch {
    // Not JSON (a form, plain text): the text itself is the fingerprint.
    return { text };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a base64 body to UTF-8 text; returns `undefined` when it is binary. */
function decodeBase64Text(base64: string): string | undefined {
  try {
    return utf8.decode(Uint8Array.from(atob(base64), (character) => character.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
