import { Buffer } from 'node:buffer';

import { IdempotencySerializationError, defaultSerializer } from '@idemkit/idempotency-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const roundTrip = (value: unknown): unknown => defaultSerializer.deserialize(defaultSerializer.serialize(value));

describe('defaultSerializer', () => {
  it.each([
    ['0', 0],
    ['false', false],
    ['empty string', ''],
    ['null', null],
    ['undefined', undefined],
    ['empty object', {}],
    ['empty array', []],
    ['-0', -0],
    ['NaN', Number.NaN],
    ['Infinity', Number.NEGATIVE_INFINITY],
    ['undefined member', { a: undefined }],
    ['sparse array', [, 1]],
    ['Date', new Date(1_700_000_000_123)],
    ['BigInt', 12345678901234567890n],
    ['Map', new Map<unknown, unknown>([['a', 1], [2, { b: [3] }]])],
    ['Set', new Set(['x', 1])],
    ['RegExp', /a+b/giu],
    ['URL', new URL('https://example.com/pay?id=1')],
    ['Uint8Array', new Uint8Array([0, 255, 128])],
    ['ArrayBuffer', new Uint8Array([1, 2, 3]).buffer],
    ['Buffer', Buffer.from('héllo')],
    ['null-prototype object', Object.assign(Object.create(null), { a: 1 })],
    ['nested rich values', { at: new Date(0), tags: new Set(['a']), amount: 10n }],
  ])('round-trips %s exactly', (_label, value) => {
    const back = roundTrip(value);

    expect(back).toStrictEqual(value);
    if (value instanceof Buffer) expect(Buffer.isBuffer(back)).toBe(true);
  });

  it('keeps a cycle', () => {
    const value: Record<string, unknown> = { id: 1 };
    value.self = value;

    const back = roundTrip(value) as Record<string, unknown>;

    expect(back.self).toBe(back);
  });

  it('stores plain JSON as JSON text', () => {
    expect(defaultSerializer.serialize({ b: [1, 'x'], a: null })).toBe('j{"b":[1,"x"],"a":null}');
  });

  it('keeps __proto__ members as data without polluting prototypes', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"ok":1}');

    const back = roundTrip(value) as Record<string, unknown>;

    expect(Object.keys(back)).toEqual(['__proto__', 'ok']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it.each([
    ['a class instance', new (class Receipt {
      id = 1;
    })()],
    ['an Error', new Error('x')],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ])('rejects %s before anything is stored', (_label, value) => {
    const error = (() => {
      try {
        defaultSerializer.serialize(value);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();

    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect((error as IdempotencySerializationError).reason).toBe('unserializable');
  });

  it('rejects text it never wrote', () => {
    expect(() => defaultSerializer.deserialize('{"a":1}')).toThrow(IdempotencySerializationError);
  });

  it('round-trips any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(roundTrip(value)).toStrictEqual(value);
      }),
    );
  });
});
