// The input both libraries get: API Gateway HTTP API (payload format 2.0) events and a Lambda context.

/** An API Gateway HTTP API event, payload format 2.0, trimmed to the fields both libraries see. */
export interface ApiEvent {
  readonly version: '2.0';
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly http: { readonly method: string; readonly path: string; readonly protocol: string; readonly sourceIp: string; readonly userAgent: string };
    readonly requestId: string;
    readonly routeKey: string;
    readonly stage: string;
    readonly time: string;
    readonly timeEpoch: number;
  };
  /** A JSON string as API Gateway sends it, or the parsed object as a body parser leaves it. */
  readonly body: string | OrderBody;
  readonly isBase64Encoded: false;
}

export interface OrderBody {
  readonly orderId: string;
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number; readonly note: string }[];
}

/** The event shapes the in-process phase compares. */
export type EventShape = '1 KB, string body' | '64 KB, string body' | '64 KB, parsed body';

export const EVENT_SHAPES: readonly EventShape[] = ['1 KB, string body', '64 KB, string body', '64 KB, parsed body'];

/** The Lambda context members both libraries read. */
export interface BenchContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly awsRequestId: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

const TARGET_BYTES: Record<EventShape, number> = {
  '1 KB, string body': 1024,
  '64 KB, string body': 64 * 1024,
  '64 KB, parsed body': 64 * 1024,
};

/**
 * Builds an event whose JSON text is at least the shape's size, padding the order's items. The
 * parsed-body shape has the same order as an object, so its JSON text is a little shorter (no
 * escaped quotes).
 */
export function buildEvent(shape: EventShape, requestId: string): ApiEvent {
  const items: { sku: string; quantity: number; note: string }[] = [];
  const order = { orderId: 'ord-7f3a9c', customerId: 'cus-20931', items };
  let event = apiEvent(JSON.stringify(order), requestId);
  while (JSON.stringify(event).length < TARGET_BYTES[shape]) {
    items.push({ sku: `SKU-${String(items.length).padStart(5, '0')}`, quantity: (items.length % 7) + 1, note: 'gift wrap, leave at the door' });
    event = apiEvent(JSON.stringify(order), requestId);
  }
  return shape === '64 KB, parsed body' ? { ...event, body: order } : event;
}

/** Copies `event` as if from another request: a new request id and time, so a new key when the whole event is the key. */
export function withRequestId(event: ApiEvent, requestId: string): ApiEvent {
  return { ...event, requestContext: { ...event.requestContext, requestId, timeEpoch: event.requestContext.timeEpoch + 1 } };
}

/** Returns a Lambda context with 30 s left, which both libraries use as the in-progress lease. */
export function benchContext(): BenchContext {
  return {
    functionName: 'bench-orders',
    functionVersion: '$LATEST',
    awsRequestId: 'bench-request',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  };
}

function apiEvent(body: string, requestId: string): ApiEvent {
  return {
    version: '2.0',
    routeKey: 'POST /orders',
    rawPath: '/orders',
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': String(body.length),
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'bench-client/1.0',
      'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
      'x-forwarded-for': '192.0.2.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      http: { method: 'POST', path: '/orders', protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'bench-client/1.0' },
      requestId,
      routeKey: 'POST /orders',
      stage: '$default',
      time: '04/Dec/2026:20:00:00 +0000',
      timeEpoch: 1_796_500_000_000,
    },
    body,
    isBase64Encoded: false,
  };
}
