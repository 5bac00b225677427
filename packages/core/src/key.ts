import { canonicalJson } from './canonical-json.js';
import { IdempotencyError, IdempotencyKeyInvalidError, IdempotencyKeyMissingError } from './errors.js';
import { sha256 } from './platform.js';
import type { LambdaContextLike } from './lambda-context.js';
import type { Selector } from './options.js';
import { errorName } from './runtime.js';

/** Separates the namespace from the digest in a record key. */
export const KEY_SEPARATOR = '#';

/** Options of {@link deriveKey}. */
export interface DeriveKeyOptions<TInput = unknown> {
  /** The namespace the records were written under (see the `namespace` option). */
  readonly namespace: string;
  /** The same key selector as the idempotent function's. Default: the whole input. */
  readonly key?: Selector<TInput>;
  /** The same scope selector as the idempotent function's, if it has one. */
  readonly scope?: Selector<TInput>;
  /** The Lambda context, for selectors that read it. */
  readonly context?: LambdaContextLike;
}

/**
 * Derives the record key that an idempotent function uses for `input`, so that a record can be
 * inspected or deleted. Throws `IdempotencyKeyMissingError` when the selector finds no key.
 *
 * @example
 * ```ts
 * const key = await deriveKey(event, { namespace: 'payments', key: fromHeader('idempotency-key') });
 * await persistence.delete({ key });
 * ```
 */
export async function deriveKey<TInput>(input: TInput, options: DeriveKeyOptions<TInput>): Promise<string> {
  const material = select('key', options.key, input, options.context);
  if (isMissing(material)) {
    throw new IdempotencyKeyMissingError(`The key selector found no key in the input (it returned ${material}).`);
  }
  const scope = select('scope', options.scope, input, options.context);
  return recordKey(options.namespace, material, scope);
}

/** True when a key selector's result means "this call has no key". */
export function isMissing(material: unknown): boolean {
  return material === undefined || material === null;
}

/**
 * Builds `<namespace>#<digest>` from key material and an optional scope. Synchronous where the
 * platform hashes synchronously (Node.js), so the common path costs no extra promise.
 */
export function recordKey(namespace: string, material: unknown, scope: unknown): string | Promise<string> {
  // The scope is hashed together with the key, so a scope never replays another scope's record.
  const keyed = scope === undefined ? { k: material } : { k: material, s: scope };
  const digest = sha256(canonicalJson(keyed, 'key material'));
  return typeof digest === 'string' ? namespace + KEY_SEPARATOR + digest : digest.then((text) => namespace + KEY_SEPARATOR + text);
}

/** Hashes the payload fingerprint for validation. */
export function payloadHash(payload: unknown): string | Promise<string> {
  return sha256(canonicalJson(payload, 'payload'));
}

/**
 * Runs a selector; the default (no selector) is the whole input. An error thrown by the
 * selector becomes `IdempotencyKeyInvalidError`, unless it already is an idemkit error.
 */
export function select<TInput>(
  name: 'key' | 'payload' | 'scope',
  selector: Selector<TInput> | undefined,
  input: TInput,
  context: LambdaContextLike | undefined,
): unknown {
  if (selector === undefined) return name === 'key' ? input : undefined;
  try {
    return selector(input, context);
  } catch (error) {
    if (IdempotencyError.is(error)) throw error;
    // The selector's own message may quote the input, and this error can reach an HTTP client.
    // So the message names only the error's type, and the error itself is kept as the cause.
    throw new IdempotencyKeyInvalidError(`The ${name} selector threw ${errorName(error)}; fix the selector or the input (the selector's error is the cause).`, {
      cause: error,
    });
  }
}
