import { performance } from 'node:perf_hooks';

import type { BenchConfig } from '../config.ts';
import { benchContext, buildEvent, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import type { IdempotentHandler, LibraryUnderTest } from '../libraries/library.ts';
import type { OpenStore } from '../stores/store.ts';

export type EntryPoint = 'wrapper' | 'Middy';

export interface BurstRow {
  readonly store: string;
  readonly library: string;
  readonly entryPoint: EntryPoint;
  readonly rounds: number;
  readonly callsPerRound: number;
  readonly callsPerSecond: number;
  /** How many times the handler ran in each round; 1 everywhere is correct. */
  readonly handlerRunsPerRound: readonly number[];
  /** Calls that got a result (the one that ran, and replays), in-progress rejections, and other errors, over all rounds. */
  readonly results: number;
  readonly inProgress: number;
  readonly otherErrors: number;
  /** The first other error's message, to diagnose it. */
  readonly firstOtherError: string | undefined;
}

/**
 * Fires `burstCalls` calls with the same event at once, for `burstRounds` rounds with a new key
 * each, through the wrapper and through Middy, and counts how often the handler ran per round.
 */
export async function measureBursts(store: OpenStore, config: BenchConfig, runId: string): Promise<BurstRow[]> {
  const rows: BurstRow[] = [];
  for (const { library } of store.libraries) {
    for (const entryPoint of ['wrapper', 'Middy'] as const) {
      rows.push(await measureEntryPoint(store.name, library, entryPoint, config, runId));
    }
  }
  return rows;
}

async function measureEntryPoint(storeName: string, library: LibraryUnderTest, entryPoint: EntryPoint, config: BenchConfig, runId: string): Promise<BurstRow> {
  const handler = new BenchHandler();
  const namespace = `bench-burst-${runId}`;
  const call: IdempotentHandler = entryPoint === 'wrapper' ? library.wrap(handler, { namespace }) : library.middy(handler, { namespace });
  const base = buildEvent('1 KB, string body', 'base');

  const handlerRunsPerRound: number[] = [];
  let results = 0;
  let inProgress = 0;
  let otherErrors = 0;
  let firstOtherError: string | undefined;
  let elapsedMs = 0;
  for (let round = 0; round < config.burstRounds; round++) {
    const event = withRequestId(base, `${runId}-${library.library}-${entryPoint}-${round}`);
    handler.runs = 0;
    const start = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: config.burstCalls }, () => call(event, benchContext())));
    elapsedMs += performance.now() - start;

    handlerRunsPerRound.push(handler.runs);
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') results += 1;
      else if (library.isInProgressError(outcome.reason)) inProgress += 1;
      else {
        otherErrors += 1;
        firstOtherError ??= outcome.reason instanceof Error ? `${outcome.reason.name}: ${outcome.reason.message}` : String(outcome.reason);
      }
    }
  }

  return {
    store: storeName,
    library: library.library,
    entryPoint,
    rounds: config.burstRounds,
    callsPerRound: config.burstCalls,
    callsPerSecond: (config.burstRounds * config.burstCalls * 1000) / elapsedMs,
    handlerRunsPerRound,
    results,
    inProgress,
    otherErrors,
    firstOtherError,
  };
}
