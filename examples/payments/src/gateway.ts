// A local stand-in for API Gateway HTTP APIs: a node:http server on loopback that turns each
// request into a payload format 2.0 event, invokes the handler with a Lambda-like context, and
// writes the handler's result back.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

import { closeServer, listenOnLoopback, readBody } from './http-util.ts';

/** A Lambda handler as the gateway invokes it. */
export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** A started gateway. */
export interface Gateway {
  readonly url: string;
  close(): Promise<void>;
}

/** Settings of the simulated function. */
export interface GatewayOptions {
  readonly functionName: string;
  /** The function's timeout, in ms: the context's remaining time counts down from it. */
  readonly timeoutMs: number;
}

// API Gateway's payload limit.
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|[^;]*\+json)/i;

/** Starts the gateway on a free loopback port. */
export async function startGateway(handler: Handler, options: GatewayOptions): Promise<Gateway> {
  const server = createServer((request, response) => {
    void serve(handler, options, request, response);
  });
  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}

async function serve(handler: Handler, options: GatewayOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(request, MAX_BODY_BYTES);
  } catch {
    writeResult(response, { statusCode: 413, body: '{"message":"Request Entity Too Large"}' });
    return;
  }

  try {
    const result = await handler(toEvent(request, body), lambdaContext(options));
    writeResult(response, result);
  } catch (error) {
    // An unhandled error is what API Gateway reports as 500 Internal Server Error.
    console.error(`gateway: the handler threw ${(error as Error).name}: ${(error as Error).message}`);
    writeResult(response, { statusCode: 500, body: '{"message":"Internal Server Error"}' });
  }
}

function toEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://gateway.local');
  const method = request.method ?? 'GET';
  const headers: Record<string, string> = {};
  // Like API Gateway: lowercase names, repeated headers joined with commas.
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined) headers[name] = values.join(',');
  }
  const text = body.length === 0 || TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const now = Date.now();

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(headers.cookie === undefined ? {} : { cookies: headers.cookie.split(/;\s*/) }),
    headers,
    ...(url.search === '' ? {} : { queryStringParameters: Object.fromEntries(url.searchParams) }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length === 0 ? {} : { body: text ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: !text,
  };
}

function lambdaContext(options: GatewayOptions): Context {
  const deadline = Date.now() + options.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${options.functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  // A result that is not a response object is sent as JSON with 200, as API Gateway does.
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(result) };

  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name] = String(value);
  if (structured.cookies !== undefined && structured.cookies.length > 0) headers['Set-Cookie'] = structured.cookies;
  const body = structured.body === undefined ? '' : Buffer.from(structured.body, structured.isBase64Encoded === true ? 'base64' : 'utf8');
  response.writeHead(structured.statusCode ?? 200, headers).end(body);
}
