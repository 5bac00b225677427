import { defaultSerializer, type ResultSerializer } from '../serializer.js';
import { encodeResult } from '../stored-result.js';

/**
 * Results that a careless store or wrapper mistakes for "no result": each must replay as itself,
 * type included. Rows are `[label, value]`, ready for `it.each`.
 *
 * @example
 * ```ts
 * it.each(FALSY_RESULTS)('result %s replays with its type', async (_label, value) => { … });
 * ```
 */
export const FALSY_RESULTS: ReadonlyArray<[label: string, value: unknown]> = [
  ['0', 0],
  ['false', false],
  ['empty string', ''],
  ['empty object', {}],
  ['empty array', []],
  ['null', null],
  ['undefined', undefined],
];

/**
 * Returns the `response` string that core stores for a function's result, for tests that seed a
 * COMPLETED record directly in a store.
 *
 * @example
 * ```ts
 * await table.put({ id: key, status: 'COMPLETED', response: storedResponse('old'), … });
 * ```
 */
export function storedResponse(value: unknown, serializer: ResultSerializer = defaultSerializer): string {
  return encodeResult(serializer, value);
}
