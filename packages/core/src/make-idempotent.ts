import { runWithClaim } from './current-claim.js';
import { Idempotency, type IdempotencyStart } from './engine.js';
import { findLambdaContext } from './lambda-context.js';
import type { IdempotencyOptions } from './options.js';
import { replayOutcome } from './stored-result.js';

// biome-ignore lint/suspicious/noExplicitAny: any function can be made idempotent.
type AnyFunction = (...args: any[]) => unknown;

/** The function `makeIdempotent` returns: the same parameters, always asynchronous. */
export type IdempotentFunction<F extends AnyFunction> = (
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>;

/**
 * Makes `fn` safe to retry. The first call with an input runs `fn` and stores its result. Repeats
 * within `expiresAfterSeconds` get that result back without running `fn`. A repeat that arrives
 * while the first call runs fails with `IdempotencyInProgressError`, and a repeat whose payload
 * fingerprint differs fails with `IdempotencyPayloadMismatchError`.
 *
 * The first argument is the input. A Lambda context among the other arguments sets the lease
 * (its remaining time) and the default namespace (its function name).
 *
 * @example
 * ```ts
 * import { makeIdempotent, MemoryPersistenceLayer } from '@idemkit/idempotency-core';
 *
 * const charge = makeIdempotent(
 *   async (payment: { id: string; cents: number }) => provider.charge(payment),
 *   { persistence: new MemoryPersistenceLayer(), namespace: 'charge', key: (payment) => payment.id },
 * );
 * await charge({ id: 'p-1', cents: 500 }); // runs
 * await charge({ id: 'p-1', cents: 500 }); // replays the stored result
 * ```
 */
export function makeIdempotent<F extends AnyFunction>(
  fn: F,
  options: IdempotencyOptions<Parameters<F>[0]>,
): IdempotentFunction<F> {
  const idempotency = new Idempotency<Parameters<F>[0]>(options, fn.name);
  return async function idempotent(this: ThisParameterType<F>, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> {
    const context = findLambdaContext(args);
    const start = await idempotency.begin(args[0], context);
    return settle(start, () => fn.apply(this, args)) as Promise<Awaited<ReturnType<F>>>;
  };
}

/**
 * Finishes a call that `Idempotency.begin` started: replays, runs without idempotency, or runs
 * `run` under the claim and completes or fails the claim with its outcome.
 */
export async function settle(start: IdempotencyStart, run: () => unknown): Promise<unknown> {
  if (start.status === 'replay') return replayOutcome(start.outcome);
  if (start.status === 'bypass') return run();

  const { claim } = start;
  let result: unknown;
  try {
    result = await runWithClaim(claim, run);
  } catch (error) {
    await claim.fail(error);
    throw error;
  }
  await claim.complete(result);
  return result;
}

