/**
 * The kind of outcome of a call, as the `onOutcome` hook receives it.
 *
 * - `acquired`: this call took the claim (`takeover` when it took over a lapsed one).
 * - `replayed`: a stored result was returned (`source` names where from).
 * - `inProgress`: another claim is running; the call was rejected.
 * - `payloadMismatch`: the key was used before with another payload; the call was rejected.
 * - `completed`: the result was stored.
 * - `released`: the function failed, or its result is not to be stored; the claim was released.
 * - `leaseLost`: another caller took the claim over; this call's result was not stored.
 * - `keyMissing`: no key was found; the function ran without idempotency.
 * - `failOpen`: the store failed and `failOpen` is set; the function ran without idempotency.
 * - `stepReplayed`: a step's stored result was returned instead of running it again.
 */
export type IdempotencyOutcomeType =
  | 'acquired'
  | 'replayed'
  | 'inProgress'
  | 'payloadMismatch'
  | 'completed'
  | 'released'
  | 'leaseLost'
  | 'keyMissing'
  | 'failOpen'
  | 'stepReplayed';

/**
 * One outcome of a call. Carries ids only, never payloads or results.
 *
 * @example
 * ```ts
 * makeIdempotent(fn, {
 *   persistence,
 *   onOutcome: (outcome) => metrics.count(`idempotency.${outcome.type}`),
 * });
 * ```
 */
export interface IdempotencyOutcome {
  readonly type: IdempotencyOutcomeType;
  readonly namespace: string;
  /** The record key; absent for `keyMissing`. */
  readonly key?: string;
  /** For `replayed`: `store` (one round trip) or `cache` (the local cache, none). */
  readonly source?: 'store' | 'cache';
  /** For `acquired`: true when a lapsed claim was taken over. */
  readonly takeover?: boolean;
  /** For `stepReplayed`: the step's name. */
  readonly step?: string;
}
