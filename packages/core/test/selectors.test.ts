import {
  IdempotencyKeyInvalidError,
  MemoryPersistenceLayer,
  deriveKey,
  fromBody,
  fromHeader,
  fromPathParameter,
  makeIdempotent,
} from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

const compact = '{"item":"I-1","note":"n"}';
const pretty = '{\n  "item": "I-1",\n  "note": "n"\n}';
const swapped = '{"note":"n","item":"I-1"}';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('fromBody', () => {
  it('derives one key from formatting and order variants of a JSON body', async () => {
    const key = fromBody();
    const keys = await Promise.all([compact, pretty, swapped].map((body) => deriveKey({ body }, { namespace: 'n', key })));

    expect(new Set(keys).size).toBe(1);
  });

  it('runs the function once for JSON bodies that differ only in formatting', async () => {
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_event: { body: string }) => ++calls, { persistence, namespace: 'bodies', key: fromBody() });

    for (const body of [compact, pretty, swapped]) await fn({ body });

    expect(calls).toBe(1);
  });

  it('keeps the raw body byte-exact in raw mode', async () => {
    const key = fromBody(undefined, { decode: 'raw' });
    const [first, second] = await Promise.all([compact, pretty].map((body) => deriveKey({ body }, { namespace: 'n', key })));

    expect(first).not.toBe(second);
  });

  it('rejects a body that is not JSON before the function runs', async () => {
    const persistence = new MemoryPersistenceLayer();
    let calls = 0;
    const fn = makeIdempotent(async (_event: { body: string }) => ++calls, { persistence, namespace: 'bad-json', key: fromBody() });

    const error = await fn({ body: '{"item": oops' }).catch((thrown: unknown) => thrown);

    expect(IdempotencyKeyInvalidError.is(error)).toBe(true);
    expect((error as IdempotencyKeyInvalidError).statusCode).toBe(400);
    expect(calls).toBe(0);
    expect(persistence.size).toBe(0);
  });

  it('gives a parsed body the key of its JSON string', async () => {
    const key = fromBody();
    const fromString = await deriveKey({ body: pretty }, { namespace: 'n', key });
    const fromObject = await deriveKey({ body: { note: 'n', item: 'I-1' } }, { namespace: 'n', key });

    expect(fromObject).toBe(fromString);
  });

  it('decodes base64 bodies', async () => {
    const key = fromBody('item');
    const plain = await deriveKey({ body: compact }, { namespace: 'n', key });
    const encoded = await deriveKey({ body: base64(pretty), isBase64Encoded: true }, { namespace: 'n', key });

    expect(encoded).toBe(plain);
  });

  it('selects a member by path', () => {
    const select = fromBody('order.id');

    expect(select({ body: '{"order":{"id":"o-1"}}' }, undefined)).toBe('o-1');
    expect(select({ body: '{"order":{}}' }, undefined)).toBeUndefined();
    expect(select({ body: '{"__proto__":{"id":"x"}}' }, undefined)).toBeUndefined();
  });

  it('uses rawBody in raw mode after a body parser ran', () => {
    const select = fromBody(undefined, { decode: 'raw' });

    expect(select({ body: { a: 1 }, rawBody: ' {"a":1}' }, undefined)).toBe(' {"a":1}');
    expect(() => select({ body: { a: 1 } }, undefined)).toThrow(IdempotencyKeyInvalidError);
  });

  it('treats a missing body as a missing key', () => {
    expect(fromBody()({}, undefined)).toBeUndefined();
    expect(fromBody()({ body: null }, undefined)).toBeUndefined();
  });
});

describe('fromHeader', () => {
  it('matches the header name case-insensitively', () => {
    const select = fromHeader('Idempotency-Key');

    expect(select({ headers: { 'idempotency-key': 'k1' } }, undefined)).toBe('k1');
    expect(select({ headers: { 'IDEMPOTENCY-KEY': 'k2' } }, undefined)).toBe('k2');
    expect(select({ multiValueHeaders: { 'Idempotency-Key': ['k3'] } }, undefined)).toBe('k3');
    expect(select({ headers: { other: 'x' } }, undefined)).toBeUndefined();
    expect(select(undefined, undefined)).toBeUndefined();
  });

  it('accepts one value sent in both header maps', () => {
    const select = fromHeader('idempotency-key');

    expect(select({ headers: { 'Idempotency-Key': 'k' }, multiValueHeaders: { 'Idempotency-Key': ['k'] } }, undefined)).toBe('k');
  });

  it.each([
    ['repeated with different values', { multiValueHeaders: { 'idempotency-key': ['a', 'b'] } }],
    ['in two spellings with different values', { headers: { 'idempotency-key': 'a', 'Idempotency-Key': 'b' } }],
    ['not a string', { headers: { 'idempotency-key': 42 } }],
  ])('rejects a header %s', (_label, event) => {
    expect(() => fromHeader('idempotency-key')(event, undefined)).toThrow(IdempotencyKeyInvalidError);
  });
});

describe('fromPathParameter', () => {
  it('selects an own path parameter', () => {
    const select = fromPathParameter('paymentId');

    expect(select({ pathParameters: { paymentId: 'p-1' } }, undefined)).toBe('p-1');
    expect(select({ pathParameters: null }, undefined)).toBeUndefined();
    expect(fromPathParameter('constructor')({ pathParameters: {} }, undefined)).toBeUndefined();
  });
});

describe('selector errors', () => {
  it('never echo the input in the message', async () => {
    const fn = makeIdempotent(async (_event: { card: string }) => 1, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'selector-throws',
      key: (event) => {
        throw new Error(`cannot read card ${event.card}`);
      },
    });

    const error = await fn({ card: '4242424242424242' }).catch((thrown: unknown) => thrown);

    expect(IdempotencyKeyInvalidError.is(error)).toBe(true);
    expect((error as Error).message).not.toContain('4242');
    expect(((error as Error).cause as Error).message).toContain('4242');
  });
});
