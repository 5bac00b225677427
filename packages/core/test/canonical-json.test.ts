import { IdempotencyKeyInvalidError, canonicalJson } from '@idemkit/idempotency-core';
import { retainedBetweenCalls, writeCareful } from '../src/canonical-json.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('canonicalJson', () => {
  it('sorts members by UTF-16 code unit', () => {
    expect(canonicalJson({ b: 1, a: 2, A: 3, ÿ: 4, é: 5 })).toBe('{"A":3,"a":2,"b":1,"é":5,"ÿ":4}');
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB01 by code unit (not by code point).
    expect(canonicalJson({ '\u{fb01}': 1, '😀': 2 })).toBe('{"😀":2,"\u{fb01}":1}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('writes numbers in shortest round-trip form', () => {
    expect(canonicalJson([1.0, -0, 1e21, 0.1, 1e-7, 123456789012345680000])).toBe('[1,0,1e+21,0.1,1e-7,123456789012345680000]');
  });

  it('encodes Date through toJSON', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('leaves out undefined members and writes undefined items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('keeps __proto__ and constructor members as data', () => {
    const parsed = JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":1}}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"admin":true},"constructor":{"prototype":1}}');
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });

  it.each([
    ['a BigInt', { amount: 10n }, '$.amount'],
    ['NaN', { rate: [1, Number.NaN] }, '$.rate[1]'],
    ['Infinity', Number.POSITIVE_INFINITY, '$'],
    ['a function', { fn: () => 1 }, '$.fn'],
    ['a symbol', { s: Symbol('s') }, '$.s'],
    ['a Map', { m: new Map() }, '$.m'],
    ['a Set', new Set([1]), '$'],
    ['binary data', { bytes: new Uint8Array([1]) }, '$.bytes'],
  ])('rejects %s and names where it is', (_label, value, path) => {
    const error = (() => {
      try {
        canonicalJson(value);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();

    expect(IdempotencyKeyInvalidError.is(error)).toBe(true);
    expect((error as Error).message).toContain(` at ${path} `);
  });

  it('rejects a cycle', () => {
    const event: Record<string, unknown> = { id: 1 };
    event.self = { parent: event };

    expect(() => canonicalJson(event)).toThrow(/a cycle at \$\.self\.parent/);
  });

  it('accepts a value shared by two members', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('gives the same text whatever the member order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(JSON.stringify(value), (_key, member: unknown) => {
          if (typeof member !== 'object' || member === null || Array.isArray(member)) return member;
          return Object.fromEntries(Object.entries(member).reverse());
        });
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
      }),
    );
  });

  it('parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('canonicalJson fast and careful writers', () => {
  it('agree on every JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(writeCareful(value));
      }),
    );
  });

  it('agree on strings that need escaping', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(canonicalJson({ [text]: text })).toBe(writeCareful({ [text]: text }));
        expect(canonicalJson(text)).toBe(JSON.stringify(text));
      }),
    );
  });

  it('agree on arrays of objects that share member names', () => {
    // A small pool of names, so that items repeat a layout, list it in another order, or leave a member out.
    const name = fc.constantFrom('a', 'b', 'c', 'é', '10', '2', '__proto__');
    const member = fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ maxLength: 3 }), fc.array(fc.dictionary(name, fc.integer(), { maxKeys: 3 }), { maxLength: 3 }));
    const item = fc.dictionary(name, member, { maxKeys: 5 });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (items) => {
        expect(canonicalJson(items)).toBe(writeCareful(items));
        expect(canonicalJson({ items, twice: items })).toBe(writeCareful({ items, twice: items }));
      }),
    );
  });

  it('sorts items that list the same names in another order', () => {
    const items = [
      { sku: 'a', quantity: 1, note: 'x' },
      { sku: 'b', quantity: 2, note: 'y' },
      { note: 'z', sku: 'c', quantity: 3 },
      { sku: 'd', quantity: undefined, note: 'w' },
      { sku: undefined, quantity: 4, note: undefined },
    ];

    expect(canonicalJson(items)).toBe(
      '[{"note":"x","quantity":1,"sku":"a"},{"note":"y","quantity":2,"sku":"b"},{"note":"z","quantity":3,"sku":"c"},{"note":"w","sku":"d"},{"quantity":4}]',
    );
  });

  it('keeps no layouts after a call', () => {
    const items = [{ [`name-${'x'.repeat(1_000)}`]: 1 }, { [`name-${'x'.repeat(1_000)}`]: 2 }];
    const nested = [[[{ a: 1, b: 2 }, { a: 3, b: 4 }]]];

    canonicalJson(items);
    canonicalJson(nested);

    expect(retainedBetweenCalls().layouts).toBe(0);
  });

  it('does not cache the quoted form of long names', () => {
    canonicalJson([{ [`long-${'y'.repeat(5_000)}`]: 1 }, { [`long-${'y'.repeat(5_000)}`]: 2 }]);

    expect(retainedBetweenCalls().longestQuotedName).toBeLessThanOrEqual(256);
  });

  it('writes values nested deeper than the fast path allows', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 500; level++) deep = { level: deep };

    expect(canonicalJson(deep)).toBe(JSON.stringify(deep));
  });
});

describe('canonicalJson with toJSON members', () => {
  it('calls toJSON on plain objects and arrays as JSON does', () => {
    const withToJson = Object.assign([1, 2], { toJSON: () => 'array' });
    const objectWithToJson = { a: 1, toJSON: () => ({ z: 1, y: 2 }) };

    expect(canonicalJson({ list: withToJson, object: objectWithToJson })).toBe('{"list":"array","object":{"y":2,"z":1}}');
  });
});
