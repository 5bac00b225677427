import type { BenchConfig } from '../config.ts';
import { benchContext, buildEvent, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import { timedLoop, type TimedLoopResult } from '../loop.ts';
import type { OpenStore, StoreLibrary } from '../stores/store.ts';

/** One library's loops in one pass. */
export interface ThroughputPass {
  readonly bare: TimedLoopResult | undefined;
  readonly firstCall: TimedLoopResult;
  readonly replay: TimedLoopResult;
}

/** The figures of one loop in its best pass: the most ops/s, since other work on the machine only ever slows a loop down. */
export type LoopSummary = TimedLoopResult;

export interface ThroughputRow {
  readonly store: string;
  readonly library: string;
  /** The bare round trip of the client this library uses, measured just before its loops in each pass. */
  readonly bareLabel: string | undefined;
  readonly bare: LoopSummary | undefined;
  readonly firstCall: LoopSummary;
  readonly replay: LoopSummary;
  /** The best pass's ops/s divided by the best pass's bare ops/s; undefined without a bare operation. */
  readonly firstCallRatio: number | undefined;
  readonly replayRatio: number | undefined;
  readonly passes: readonly ThroughputPass[];
}

/**
 * Times sequential first calls on distinct keys, and replays of one key, without a local cache,
 * for every library on the store. Each library's bare round trip is measured right before its
 * own loops. The libraries take turns going first over the passes, so neither always runs on a
 * colder or a busier machine, and each loop's figures come from its best pass.
 */
export async function measureThroughput(store: OpenStore, config: BenchConfig, runId: string): Promise<ThroughputRow[]> {
  const passes = new Map<StoreLibrary, ThroughputPass[]>(store.libraries.map((entry) => [entry, []]));
  for (let pass = 0; pass < config.throughputPasses; pass++) {
    const order = pass % 2 === 0 ? store.libraries : [...store.libraries].reverse();
    for (const entry of order) passes.get(entry)?.push(await measurePass(entry, config, `${runId}-${pass}`));
  }
  return store.libraries.map((entry) => summarize(store.name, entry, passes.get(entry) ?? []));
}

async function measurePass({ library, bare }: StoreLibrary, config: BenchConfig, runId: string): Promise<ThroughputPass> {
  const handler = new BenchHandler();
  const call = library.wrap(handler, { namespace: `bench-tp-${runId}` });
  const base = buildEvent('1 KB, string body', 'base');
  const event = (name: string) => withRequestId(base, `${runId}-${library.library}-${name}`);
  const loop = (run: (index: number) => Promise<unknown>) => timedLoop(config.throughputCalls, config.throughputMaxMs, run);

  let bareResult: TimedLoopResult | undefined;
  if (bare !== undefined) {
    await timedLoop(config.warmupCalls, config.throughputMaxMs, (index) => bare.run(-1 - index));
    bareResult = await loop((index) => bare.run(index));
  }

  await timedLoop(config.warmupCalls, config.throughputMaxMs, (index) => call(event(`warm-up-${index}`), benchContext()));
  const firstCall = await loop((index) => call(event(`first-${index}`), benchContext()));

  const replayed = event('replayed');
  await call(replayed, benchContext());
  const replay = await loop(() => call(replayed, benchContext()));
  return { bare: bareResult, firstCall, replay };
}

function summarize(storeName: string, { library, bare }: StoreLibrary, passes: readonly ThroughputPass[]): ThroughputRow {
  const bareBest = best(passes.flatMap((pass) => (pass.bare === undefined ? [] : [pass.bare])));
  const firstCall = best(passes.map((pass) => pass.firstCall));
  const replay = best(passes.map((pass) => pass.replay));
  if (firstCall === undefined || replay === undefined) throw new Error(`No throughput pass ran for ${library.library} on ${storeName}; throughputPasses must be at least 1.`);

  return {
    store: storeName,
    library: library.library,
    bareLabel: bare?.label,
    bare: bareBest,
    firstCall,
    replay,
    firstCallRatio: bareBest === undefined ? undefined : firstCall.opsPerSecond / bareBest.opsPerSecond,
    replayRatio: bareBest === undefined ? undefined : replay.opsPerSecond / bareBest.opsPerSecond,
    passes,
  };
}

function best(loops: readonly TimedLoopResult[]): TimedLoopResult | undefined {
  return loops.reduce<TimedLoopResult | undefined>((fastest, loop) => (fastest === undefined || loop.opsPerSecond > fastest.opsPerSecond ? loop : fastest), undefined);
}
