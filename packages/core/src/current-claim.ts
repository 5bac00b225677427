import type { Claim, StepContext } from './claim.js';
import { IdempotencyConfigError } from './errors.js';
import { type AsyncContextStorage, platform } from './platform.js';

let storage: AsyncContextStorage<Claim> | undefined | null;

function claimStorage(): AsyncContextStorage<Claim> | undefined {
  if (storage === undefined) storage = platform().createAsyncContext?.<Claim>() ?? null;
  return storage ?? undefined;
}

/** Runs `callback` with `claim` as the current claim, where the runtime can track it. */
export function runWithClaim<R>(claim: Claim, callback: () => R): R {
  const current = claimStorage();
  return current === undefined ? callback() : current.run(claim, callback);
}

/**
 * Runs a step of an idempotent call (one made by `makeIdempotent` or the Middy middleware) and
 * stores its result under the claim before returning it. A retry of the same request gets the
 * stored result back without running `fn` again, and goes on with the next step. Step names
 * must be unique within a call.
 *
 * `fn` receives a key derived from the record key and the step name. Pass it to the API that the
 * step calls as that API's idempotency key. If the process dies after the API call succeeds and
 * before the step's result is stored, the retry runs `fn` again, and only that key keeps the API
 * from acting twice.
 *
 * Finds the current call through `AsyncLocalStorage`: `node:async_hooks` in the Node.js build,
 * the global `AsyncLocalStorage` elsewhere when the runtime provides one. Where there is none,
 * use the claim that the Middy middleware puts on `context.idempotency`.
 *
 * @example
 * ```ts
 * const pay = makeIdempotent(async (order: Order) => {
 *   const charge = await step('charge', ({ key }) => provider.charge(order, { idempotencyKey: key }));
 *   await step('ledger', () => ledger.insert(order.id, charge.id));
 *   return { chargeId: charge.id };
 * }, { persistence, namespace: 'pay' });
 * ```
 */
export function step<T>(name: string, fn: (context: StepContext) => T | Promise<T>): Promise<T> {
  const claim = claimStorage()?.getStore();
  if (claim === undefined) {
    const reason = claimStorage() === undefined
      ? 'this runtime has no AsyncLocalStorage; use context.idempotency.step from the Middy middleware instead'
      : 'call it inside a function made idempotent by makeIdempotent or the Middy middleware';
    return Promise.reject(new IdempotencyConfigError(`step(${JSON.stringify(name)}) was called outside an idempotent call: ${reason}.`));
  }
  return claim.step(name, fn);
}
