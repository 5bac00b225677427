import { Claim } from './claim.js';
import { IdempotencyInProgressError, IdempotencyKeyMissingError, IdempotencyPayloadMismatchError } from './errors.js';
import { isMissing, payloadHash, recordKey, select } from './key.js';
import { type LambdaContextLike, lambdaFunctionName, leaseFor } from './lambda-context.js';
import { type IdempotencyOptions, resolveOptions } from './options.js';
import { Runtime } from './runtime.js';
import { decodeOutcome, type StoredOutcome } from './stored-result.js';
import type { IdempotencyRecord } from './types.js';

/**
 * The start of a call, one of:
 * - `replay`: a stored outcome to return (or throw) without running the function;
 * - `claimed`: this call owns the claim and must run the function;
 * - `bypass`: run the function without idempotency (no key, or the store failed with `failOpen`).
 */
export type IdempotencyStart =
  | { readonly status: 'replay'; readonly key: string; readonly outcome: StoredOutcome }
  | { readonly status: 'claimed'; readonly key: string; readonly claim: Claim }
  | { readonly status: 'bypass'; readonly reason: 'keyMissing' | 'failOpen' };

interface Request {
  readonly key: string;
  readonly namespace: string;
  readonly payloadHash: string | undefined;
  readonly context: LambdaContextLike | undefined;
}

/**
 * The engine behind `makeIdempotent` and the Middy middleware, for other integrations. `begin`
 * derives the key, consults the local cache and acquires. The caller then runs the function and
 * settles the claim.
 *
 * @example
 * ```ts
 * const idempotency = new Idempotency({ persistence, namespace: 'orders' });
 * const start = await idempotency.begin(event, context);
 * if (start.status === 'replay') return replayOutcome(start.outcome);
 * if (start.status === 'bypass') return handle(event);
 * try {
 *   const result = await handle(event);
 *   await start.claim.complete(result);
 *   return result;
 * } catch (error) {
 *   await start.claim.fail(error);
 *   throw error;
 * }
 * ```
 */
export class Idempotency<TInput = unknown> {
  readonly #runtime: Runtime<TInput>;
  readonly #functionLabel: string | undefined;

  /**
   * @param functionLabel the wrapped function's name, added to the default namespace.
   * @param extraOptionNames options an integration accepts beyond the core ones.
   */
  constructor(options: IdempotencyOptions<TInput>, functionLabel?: string, extraOptionNames: readonly string[] = []) {
    this.#runtime = new Runtime(resolveOptions(options, extraOptionNames));
    this.#functionLabel = functionLabel === '' ? undefined : functionLabel;
  }

  /** Derives the key, and acquires the claim or finds the record that blocks it. */
  async begin(input: TInput, context: LambdaContextLike | undefined): Promise<IdempotencyStart> {
    const { options } = this.#runtime;
    const namespace = this.namespaceFor(context);
    const material = select('key', options.key, input, context);
    if (isMissing(material)) return this.#keyMissing(namespace);

    const scope = select('scope', options.scope, input, context);
    const payload = select('payload', options.payload, input, context);
    // Hashing is synchronous on Node.js; awaiting only a real promise saves a turn per call.
    const pendingKey = recordKey(namespace, material, scope);
    const key = typeof pendingKey === 'string' ? pendingKey : await pendingKey;
    const pendingHash = payload === undefined ? undefined : payloadHash(payload);
    const hash = typeof pendingHash === 'object' ? await pendingHash : pendingHash;
    const request: Request = { key, namespace, payloadHash: hash, context };

    const cached = this.#runtime.cache?.get(key, options.clock());
    if (cached !== undefined) {
      this.#checkPayload(request, cached.payloadHash);
      this.#runtime.emit({ type: 'replayed', namespace, key, source: 'cache' });
      return { status: 'replay', key, outcome: decodeOutcome(options.serializer, cached.response) };
    }
    return this.#acquire(request);
  }

  /** The namespace for a call: the option, else the Lambda function name and the function's name. */
  namespaceFor(context: LambdaContextLike | undefined): string {
    const { namespace, log } = this.#runtime.options;
    if (namespace !== undefined) return namespace;
    const parts = [lambdaFunctionName(context), this.#functionLabel].filter((part) => part !== undefined);
    if (parts.length > 0) return parts.join('.');
    log.warnOnce('namespace', 'No namespace: no Lambda function name and no function name were found, so records go under "default". Set the namespace option so that functions never share records.');
    return 'default';
  }

  async #acquire(request: Request): Promise<IdempotencyStart> {
    const { persistence, clock, expiresAfterMs, leaseMs, inProgressWait } = this.#runtime.options;
    const leaseToken = crypto.randomUUID();
    let waitUntil: number | undefined;
    let intervalMs = inProgressWait === false ? 0 : inProgressWait.initialIntervalMs;

    for (;;) {
      const now = clock();
      const result = await persistence
        .acquire({
          key: request.key,
          leaseToken,
          leaseMs: leaseFor(request.context, leaseMs, expiresAfterMs),
          expiresAfterMs,
          ...(request.payloadHash === undefined ? {} : { payloadHash: request.payloadHash }),
          now,
        })
        .catch((error: unknown) => this.#storeFailed(request, error));
      if (result === 'failOpen') return { status: 'bypass', reason: 'failOpen' };

      if (result.acquired) return this.#claimed(request, leaseToken, now, result.steps);
      const { record } = result;
      this.#checkPayload(request, record.payloadHash);
      if (record.status === 'COMPLETED') return this.#replay(request, record);
      // A retried acquire whose first response was lost finds its own claim.
      if (record.leaseToken === leaseToken) return this.#claimed(request, leaseToken, now, record.steps);

      waitUntil ??= now + (inProgressWait === false ? 0 : inProgressWait.maxWaitMs);
      if (inProgressWait === false || now + intervalMs > waitUntil) throw this.#inProgress(request, record, now);
      await sleep(intervalMs);
      intervalMs = Math.min(intervalMs * 2, inProgressWait.maxIntervalMs);
    }
  }

  #claimed(request: Request, leaseToken: string, now: number, steps: IdempotencyRecord['steps']): IdempotencyStart {
    const takeover = Object.keys(steps).length > 0;
    this.#runtime.emit({ type: 'acquired', namespace: request.namespace, key: request.key, takeover });
    const claim = new Claim(this.#runtime as Runtime<never>, {
      key: request.key,
      namespace: request.namespace,
      leaseToken,
      payloadHash: request.payloadHash,
      acquiredAt: now,
      steps,
      context: request.context,
    });
    return { status: 'claimed', key: request.key, claim };
  }

  #replay(request: Request, record: IdempotencyRecord): IdempotencyStart {
    const { serializer } = this.#runtime.options;
    this.#runtime.cache?.remember(record);
    this.#runtime.emit({ type: 'replayed', namespace: request.namespace, key: request.key, source: 'store' });
    return { status: 'replay', key: request.key, outcome: decodeOutcome(serializer, record.response ?? '') };
  }

  #checkPayload(request: Request, storedHash: string | undefined): void {
    if (request.payloadHash === undefined || storedHash === undefined || storedHash === request.payloadHash) return;
    this.#runtime.emit({ type: 'payloadMismatch', namespace: request.namespace, key: request.key });
    throw new IdempotencyPayloadMismatchError(
      `The key of ${request.key} was used before with a different payload; use a new key for a new request.`,
      { key: request.key },
    );
  }

  #inProgress(request: Request, record: IdempotencyRecord, now: number): IdempotencyInProgressError {
    this.#runtime.emit({ type: 'inProgress', namespace: request.namespace, key: request.key });
    // A hint only: for a store-clock layer the lease is in store time and `now` in ours.
    const retryAfterMs = Math.max(0, record.leaseExpiresAt - now);
    return new IdempotencyInProgressError(
      `A call with the key of ${request.key} is still in progress; retry after ${Math.ceil(retryAfterMs / 1000)} s.`,
      { key: request.key, retryAfterMs },
    );
  }

  #keyMissing(namespace: string): IdempotencyStart {
    const { requireKey, log } = this.#runtime.options;
    if (requireKey) {
      throw new IdempotencyKeyMissingError(`No idempotency key was found in the input for ${namespace}, and requireKey is set; send the key.`);
    }
    log.warnOnce(`keyMissing:${namespace}`, `No idempotency key was found in the input for ${namespace}; running without idempotency. Set requireKey to reject such calls instead.`);
    this.#runtime.emit({ type: 'keyMissing', namespace });
    return { status: 'bypass', reason: 'keyMissing' };
  }

  #storeFailed(request: Request, error: unknown): 'failOpen' {
    const failure = this.#runtime.persistenceError('acquire', request.key, error);
    if (!this.#runtime.options.failOpen || failure.code !== 'PERSISTENCE') throw failure;
    this.#runtime.options.log.error('The store failed; running without idempotency because failOpen is set', { key: request.key });
    this.#runtime.emit({ type: 'failOpen', namespace: request.namespace, key: request.key });
    return 'failOpen';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
