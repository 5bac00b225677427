import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Endpoint } from './execute.ts';

/** The request body, or the HTTP status and error text when it could not be read. */
export type BodyRead = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly status: number; readonly error: string };

const PATHS = new Map<string, Endpoint>([
  ['/', 'command'],
  ['/pipeline', 'pipeline'],
  ['/multi-exec', 'multiExec'],
]);

/** Returns the endpoint of a request URL, or `undefined` for any other path. */
export function endpointOf(url: string | undefined): Endpoint | undefined {
  const [pathname = '/'] = (url ?? '/').split('?', 1);
  return PATHS.get(pathname);
}

/** Checks `authorization: Bearer <token>`; Node.js has already lowercased the header name. */
export function isAuthorized(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match !== null && match[1] === token;
}

/** Tells whether the request asked for base64 results with `Upstash-Encoding: base64`. */
export function wantsBase64(request: IncomingMessage): boolean {
  const encoding = request.headers['upstash-encoding'];
  return typeof encoding === 'string' && encoding.trim().toLowerCase() === 'base64';
}

/** Reads the whole body, and stops at `maxBytes` with a 413. */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const tooLarge: BodyRead = { ok: false, status: 413, error: `ERR request body is larger than ${maxBytes} bytes` };
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) return Promise.resolve(tooLarge);

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;

    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      resolve(tooLarge);
    };
    request.on('data', onData);
    request.on('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks) }));
    request.on('error', (error) => resolve({ ok: false, status: 400, error: `ERR could not read the request body: ${error.message}` }));
  });
}

/**
 * Sends a JSON response with the `upstash-sync-token` header. `close` ends the connection after
 * the response, for a request whose body was not read to its end.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, syncToken: string, close = false): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'upstash-sync-token': syncToken,
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(text);
}
