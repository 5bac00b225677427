import { deriveKey, IdempotencyInProgressError, type PersistenceLayer, makeIdempotent } from '@idemkit/idempotency-core';

/** Options of {@link runStorm}. */
export interface StormOptions {
  readonly persistence: PersistenceLayer;
  /** Calls made in all. */
  readonly calls: number;
  /** Distinct keys the calls are spread over; every key is called at least once. */
  readonly keys: number;
  /** Calls in flight at once. */
  readonly concurrency: number;
  /** Maximum time the function takes, in ms; each run takes a random time up to it. */
  readonly maxWorkMs: number;
  /** Seed of the call order, for a reproducible storm. */
  readonly seed: number;
}

/** The observations of a storm. */
export interface StormReport {
  readonly calls: number;
  /** Runs of the function, by key. */
  readonly executions: Map<string, number>;
  readonly replays: number;
  readonly inProgress: number;
  /** Calls whose result was not the result of their key's only run. */
  readonly wrongResults: number;
  /** Calls that failed with anything but the in-progress error. */
  readonly unexpectedErrors: unknown[];
  /** Keys whose record is not COMPLETED once every call has returned: lost or stuck records. */
  readonly unsettledKeys: string[];
}

/**
 * Fires `calls` calls over `keys` keys in a shuffled, interleaved order with random duplicates,
 * through `makeIdempotent`, and records how often each key's function ran and what each caller
 * received.
 */
export async function runStorm(options: StormOptions): Promise<StormReport> {
  const random = seededRandom(options.seed);
  const executions = new Map<string, number>();
  const results = new Map<string, string>();
  const namespace = `storm-${options.seed}-${crypto.randomUUID()}`;
  const fn = makeIdempotent(
    async (key: string) => {
      executions.set(key, (executions.get(key) ?? 0) + 1);
      await sleep(Math.floor(random() * options.maxWorkMs));
      const result = `${key}:${crypto.randomUUID()}`;
      results.set(key, result);
      return result;
    },
    { persistence: options.persistence, namespace, leaseMs: 60_000, logger: false },
  );

  const order = Array.from({ length: options.calls }, (_, index) => `key-${index < options.keys ? index : Math.floor(random() * options.keys)}`);
  shuffle(order, random);

  let inProgress = 0;
  let wrongResults = 0;
  const unexpectedErrors: unknown[] = [];
  const received: { key: string; value: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < order.length) {
      const key = order[next++] as string;
      try {
        received.push({ key, value: await fn(key) });
      } catch (error) {
        if (IdempotencyInProgressError.is(error)) inProgress++;
        else unexpectedErrors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  for (const { key, value } of received) if (results.get(key) !== value) wrongResults++;
  const unsettledKeys: string[] = [];
  for (const key of executions.keys()) {
    const record = await options.persistence.get({ key: await deriveKey(key, { namespace }), now: Date.now() });
    if (record?.status !== 'COMPLETED') unsettledKeys.push(key);
  }
  // Every successful call either ran the function or replayed a stored result.
  const runs = [...executions.values()].reduce((sum, count) => sum + count, 0);
  return { calls: options.calls, executions, replays: received.length - runs, inProgress, wrongResults, unexpectedErrors, unsettledKeys };
}

/** A small deterministic generator (mulberry32), so a failing storm can be replayed by its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
