/** Proxy events of each kind that the HTTP mode reads, with a JSON body and the given headers. */
export interface EventInit {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly base64?: boolean;
}

function bodyOf(init: EventInit): { body: string | null; isBase64Encoded: boolean } {
  if (init.body === undefined) return { body: null, isBase64Encoded: false };
  if (init.base64 === true) return { body: Buffer.from(init.body).toString('base64'), isBase64Encoded: true };
  return { body: init.body, isBase64Encoded: false };
}

/** API Gateway REST API (payload format 1.0). */
export function restApiEvent(init: EventInit = {}): Record<string, unknown> {
  const headers = init.headers ?? {};
  return {
    resource: '/payments',
    path: init.path ?? '/payments',
    httpMethod: init.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    pathParameters: null,
    requestContext: { stage: 'prod', requestId: crypto.randomUUID(), httpMethod: init.method ?? 'POST' },
    ...bodyOf(init),
  };
}

/** API Gateway HTTP API (payload format 2.0). */
export function httpApiEvent(init: EventInit = {}): Record<string, unknown> {
  const method = init.method ?? 'POST';
  const path = init.path ?? '/payments';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' }, requestId: crypto.randomUUID() },
    ...bodyOf(init),
  };
}

/** Lambda function URL: the 2.0 format with no route key. */
export function functionUrlEvent(init: EventInit = {}): Record<string, unknown> {
  return { ...httpApiEvent(init), routeKey: '$default' };
}

/** Application Load Balancer, with or without multi-value headers. */
export function albEvent(init: EventInit = {}, multiValue = false): Record<string, unknown> {
  const headers = init.headers ?? {};
  return {
    httpMethod: init.method ?? 'POST',
    path: init.path ?? '/payments',
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:region:123456789012:targetgroup/payments/1' } },
    ...(multiValue
      ? { multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), [value]])) }
      : { headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])) }),
    ...bodyOf(init),
  };
}

export const eventKinds: readonly { kind: string; event: (init?: EventInit) => Record<string, unknown> }[] = [
  { kind: 'REST API', event: restApiEvent },
  { kind: 'HTTP API', event: httpApiEvent },
  { kind: 'function URL', event: functionUrlEvent },
  { kind: 'ALB', event: (init?: EventInit) => albEvent(init) },
  { kind: 'ALB multi-value', event: (init?: EventInit) => albEvent(init, true) },
];

/** Parses the problem+json body of a response. */
export function problemOf(response: unknown): Record<string, unknown> {
  return JSON.parse((response as { body: string }).body) as Record<string, unknown>;
}

/** Reads a header of a response, from `headers` or `multiValueHeaders`, case-insensitively. */
export function headerOf(response: unknown, name: string): string | undefined {
  const { headers, multiValueHeaders } = response as { headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]> };
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name.toLowerCase()) return value;
  for (const [key, value] of Object.entries(multiValueHeaders ?? {})) if (key.toLowerCase() === name.toLowerCase()) return value.join(', ');
  return undefined;
}
