/**
 * Item sizes as DynamoDB counts them against its 400 KB item limit. The rules come from "DynamoDB
 * item sizes and formats" in the DynamoDB Developer Guide. Every attribute costs the UTF-8 bytes
 * of its name plus its value. A string costs its UTF-8 bytes, and a number 1 byte plus 1 per pair
 * of significant digits. A map costs 3 bytes plus, for each entry, its name, its value and 1 byte.
 * The tests check these counts against DynamoDB Local at the exact limit.
 */

/** DynamoDB's item size limit: 400 KB, that is 409,600 bytes. */
export const MAX_ITEM_BYTES = 409_600;

/** A value the adapter writes: a string, an integer, or a map of strings (the steps). */
export type StoredValue = string | number | Readonly<Record<string, string>>;

/** Size of an item of top-level attributes, in bytes. */
export function itemBytes(item: Readonly<Record<string, StoredValue>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += attributeBytes(name, value);
  return bytes;
}

/** Size of one attribute: its name and its value. */
export function attributeBytes(name: string, value: StoredValue): number {
  return utf8ByteLength(name) + valueBytes(value);
}

/** Size of one map entry, the 1 byte of entry overhead included. */
export function mapEntryBytes(name: string, value: string): number {
  return utf8ByteLength(name) + utf8ByteLength(value) + 1;
}

/** Size of a map value whose entries together cost `entriesBytes` (see {@link mapEntryBytes}). */
export function mapBytes(entriesBytes: number): number {
  return 3 + entriesBytes;
}

function valueBytes(value: StoredValue): number {
  if (typeof value === 'string') return utf8ByteLength(value);
  if (typeof value === 'number') return numberBytes(value);
  let entriesBytes = 0;
  for (const [name, entry] of Object.entries(value)) entriesBytes += mapEntryBytes(name, entry);
  return mapBytes(entriesBytes);
}

/**
 * Size of a number: 1 byte, plus 1 per pair of digits, pairs counted from the decimal point and
 * leading and trailing zero pairs dropped (12000 is 01|20|00, so 3 bytes).
 */
export function numberBytes(value: number): number {
  if (!Number.isSafeInteger(value)) {
    // NOTE: the adapter writes only integers; this bound for other numbers counts one pair per
    // significant digit, which is never less than the real size.
    const significant = Math.abs(value).toExponential().replace(/e.*$/, '').replace('.', '');
    return 2 + significant.length;
  }

  let digits = Math.abs(value).toString();
  if (digits.length % 2 === 1) digits = `0${digits}`;
  const pairs = digits.match(/../g) ?? [];
  let first = 0;
  let last = pairs.length - 1;
  while (first <= last && pairs[first] === '00') first++;
  while (last >= first && pairs[last] === '00') last--;
  return 1 + Math.max(0, last - first + 1);
}

/** Number of bytes of `text` in UTF-8, without encoding it. A lone surrogate counts 3 bytes (U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}
