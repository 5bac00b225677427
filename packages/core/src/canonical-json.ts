import { IdempotencyKeyInvalidError } from './errors.js';

/**
 * Serializes `value` as canonical JSON: object members sorted by UTF-16 code unit, no white
 * space, numbers in JavaScript's shortest round-trip form (the rules of RFC 8785, JCS). Two
 * values that differ only in member order give the same text; array order is kept.
 *
 * Encodings beyond plain JSON, as `JSON.stringify` does them: a value with `toJSON()` (a `Date`
 * becomes its ISO string) is replaced by what it returns, `undefined` members are left out, and
 * `undefined` array items become `null`. Values with no canonical form raise
 * `IdempotencyKeyInvalidError` naming where they are: BigInt, NaN and ±Infinity, functions,
 * symbols, cycles, `Map`, `Set`, `WeakMap`, `WeakSet`, `ArrayBuffer` and typed arrays.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown, label = 'key material'): string {
  try {
    return writeFast(value, 0) ?? 'null';
  } catch (error) {
    if (error !== SLOW_PATH) throw error;
  } finally {
    // The layouts hold member names from this value, which is request data, so they are dropped
    // before the call returns.
    lastLayouts.length = 0;
  }
  return writeCareful(value, label);
}

/**
 * Writes the same text as {@link canonicalJson}, always with the writer that tracks paths and
 * cycles. Exported for the tests that check that both writers agree.
 */
export function writeCareful(value: unknown, label = 'key material'): string {
  return new CanonicalWriter(label).write(value) ?? 'null';
}

/**
 * Reports what the fast writer keeps between calls: the array-item layouts still referenced and
 * the longest name in the quoted-name cache. Exported for the tests that check that request data
 * does not stay in memory.
 */
export function retainedBetweenCalls(): { readonly layouts: number; readonly longestQuotedName: number } {
  let longestQuotedName = 0;
  for (const name of quotedNames.keys()) longestQuotedName = Math.max(longestQuotedName, name.length);
  return { layouts: lastLayouts.filter((layout) => layout !== undefined).length, longestQuotedName };
}

// Thrown by the fast writer to hand a value over to the careful one.
const SLOW_PATH: unique symbol = Symbol('slow path');

// Deeper than this, the fast writer assumes a cycle and hands over; real data is far shallower.
const FAST_MAX_DEPTH = 200;

// Characters that JSON escapes: quote, backslash, controls, and surrogates (a lone one is escaped).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const SHORT_STRING = 64;

/** Quotes a string as JSON does, skipping JSON.stringify for short strings that need no escape. */
function quote(text: string): string {
  if (text.length <= SHORT_STRING && !NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return JSON.stringify(text);
}

// Member names repeat across events and across the items of an array, so their quoted form is
// kept. Bounded in count and in name length, so that keys made of request data cannot grow it
// without limit.
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 10_000;
const MAX_QUOTED_NAME_LENGTH = 256;

function quoteName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = quote(name);
    if (quotedNames.size < MAX_QUOTED_NAMES && name.length <= MAX_QUOTED_NAME_LENGTH) quotedNames.set(name, quoted);
  }
  return quoted;
}

/**
 * Writes canonical JSON with no bookkeeping, for plain data: strings, finite numbers, booleans,
 * arrays and plain objects. Anything else throws SLOW_PATH: a value with `toJSON()`, a class
 * instance, a value with no canonical form, or nesting deep enough to be a cycle. The careful
 * writer then produces the text, or an error that names the path.
 */
function writeFast(value: unknown, depth: number, arrayItem = false): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw SLOW_PATH;
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      throw SLOW_PATH;
  }

  if (value === null) return 'null';
  if (depth > FAST_MAX_DEPTH) throw SLOW_PATH;
  // The prototype identifies plain data in one step, where instanceof checks would take several.
  const prototype = Object.getPrototypeOf(value);
  const plain = prototype === Array.prototype || prototype === Object.prototype || prototype === null;
  if (!plain || typeof (value as { toJSON?: unknown }).toJSON === 'function') throw SLOW_PATH;
  return prototype === Array.prototype ? writeFastArray(value as unknown[], depth) : writeFastMembers(value, depth, arrayItem);
}

function writeFastArray(items: readonly unknown[], depth: number): string {
  let text = '[';
  for (let index = 0; index < items.length; index++) {
    if (index > 0) text += ',';
    text += writeFast(items[index], depth + 1, true) ?? 'null';
  }
  return `${text}]`;
}

function writeFastMembers(object: object, depth: number, arrayItem: boolean): string {
  const names = Object.keys(object);
  let sorted: readonly string[] = names;
  let prefixes: MemberLayout['prefixes'];
  if (arrayItem) ({ sorted, prefixes } = memberLayout(names, depth));
  // An object outside an array is sorted in place, because a layout only pays off when items repeat it.
  else if (names.length > 1) names.sort();

  let text = '{';
  for (let index = 0; index < sorted.length; index++) {
    const name = sorted[index] as string;
    const member = writeFast((object as Record<string, unknown>)[name], depth + 1);
    if (member === undefined) continue;
    if (prefixes === undefined) text += (text.length > 1 ? ',' : '') + quoteName(name) + ':' + member;
    else text += (text.length > 1 ? prefixes.later[index] : prefixes.first[index]) + member;
  }
  return `${text}}`;
}

/** The member names of an object as `Object.keys` listed them, sorted, and their quoted prefixes. */
interface MemberLayout {
  readonly names: readonly string[];
  readonly sorted: readonly string[];
  /** `"name":` and `,"name":` for each sorted name, built when a second object has the same names. */
  prefixes: { readonly first: readonly string[]; readonly later: readonly string[] } | undefined;
}

// The layout of the last array item written at each depth, within one canonicalJson call. The
// items of an array mostly list the same names in the same order, so each item after the first
// skips the sort and the name lookups. One layout per depth lets the items of an array inside an
// item keep their own.
const lastLayouts: (MemberLayout | undefined)[] = [];

function memberLayout(names: string[], depth: number): MemberLayout {
  const last = lastLayouts[depth];
  if (last !== undefined && sameNames(last.names, names)) {
    last.prefixes ??= {
      first: last.sorted.map((name) => quoteName(name) + ':'),
      later: last.sorted.map((name) => ',' + quoteName(name) + ':'),
    };
    return last;
  }
  // The default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  const layout: MemberLayout = { names, sorted: names.length > 1 ? names.slice().sort() : names, prefixes: undefined };
  lastLayouts[depth] = layout;
  return layout;
}

function sameNames(previous: readonly string[], next: readonly string[]): boolean {
  if (previous.length !== next.length) return false;
  for (let index = 0; index < previous.length; index++) {
    if (previous[index] !== next[index]) return false;
  }
  return true;
}

function isOpaque(value: object): boolean {
  return (
    value instanceof Map ||
    value instanceof Set ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

class CanonicalWriter {
  readonly #label: string;
  // The path to the value being written, kept as a stack so that no path string is built
  // unless an error needs it.
  readonly #path: (string | number)[] = [];
  readonly #ancestors: object[] = [];

  constructor(label: string) {
    this.#label = label;
  }

  write(value: unknown): string | undefined {
    switch (typeof value) {
      case 'string':
        return quote(value);
      case 'number':
        if (!Number.isFinite(value)) throw this.#invalid(`the number ${value}`, 'use a finite number or a string');
        return String(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return undefined;
      case 'bigint':
        throw this.#invalid('a BigInt', 'convert it to a string in the selector');
      case 'function':
      case 'symbol':
        throw this.#invalid(`a ${typeof value}`, 'select plain data instead');
    }

    if (value === null) return 'null';
    return this.#writeObject(value as object);
  }

  #writeObject(value: object): string | undefined {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return this.write((value as { toJSON(key: string): unknown }).toJSON(''));
    }
    this.#rejectOpaque(value);
    if (this.#ancestors.includes(value)) throw this.#invalid('a cycle', 'select a part of the value without the cycle');

    this.#ancestors.push(value);
    const text = Array.isArray(value) ? this.#writeArray(value) : this.#writeMembers(value);
    this.#ancestors.pop();
    return text;
  }

  #writeArray(items: readonly unknown[]): string {
    let text = '[';
    for (let index = 0; index < items.length; index++) {
      this.#path.push(index);
      text += (index > 0 ? ',' : '') + (this.write(items[index]) ?? 'null');
      this.#path.pop();
    }
    return `${text}]`;
  }

  #writeMembers(object: object): string {
    // The default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
    const names = Object.keys(object).sort();
    let text = '{';
    for (const name of names) {
      this.#path.push(name);
      const member = this.write((object as Record<string, unknown>)[name]);
      this.#path.pop();
      if (member === undefined) continue;
      text += (text.length > 1 ? ',' : '') + quote(name) + ':' + member;
    }
    return `${text}}`;
  }

  #rejectOpaque(value: object): void {
    if (!isOpaque(value)) return;
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      throw this.#invalid(`binary data (${value.constructor.name})`, 'encode it as a base64 string');
    }
    throw this.#invalid(`a ${value.constructor.name}`, 'convert it to an array or a plain object');
  }

  #invalid(found: string, fix: string): IdempotencyKeyInvalidError {
    const where = this.#path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
    return new IdempotencyKeyInvalidError(
      `Invalid ${this.#label}: ${found} at $${where} has no canonical JSON form; ${fix}.`,
    );
  }
}
