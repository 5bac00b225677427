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

/** The mean over the passes of one loop's figures. */
export interface LoopSummary {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** True when any pass's loop hit its time cap. */
  readonly timeCapped: boolean;
}

export interface ThroughputRow {
  readonly store: string;
  readonly library: string;
  /** The bare round trip of the client this library uses, measured just before its loops in each pass. */
  readonly bareLabel: string | undefined;
  readonly bare: LoopSummary | undefined;
  readonly firstCall: LoopSummary;
  readonly replay: LoopSummary;
  /** The mean over the passes of ops/s divided by the same pass's bare ops/s; undefined without a bare operation. */
  readonly firstCallRatio: number | undefined;
  readonly replayRatio: number | undefined;
  readonly passes: readonly ThroughputPass[];
}

/**
 * Times sequential first calls on distinct keys, and replays of one key, without a local cache,
 * for every library on the store. Each library's bare round trip is measured right before its
 * own loops, so a ratio compares figures from the same minute. The libraries take turns going
 * first over the passes, so neither always runs on a colder or a busier machine.
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
  const bareLoops = passes.flatMap((pass) => (pass.bare === undefined ? [] : [pass.bare]));
  const ratio = (pick: (pass: ThroughputPass) => TimedLoopResult): number | undefined => {
    if (bareLoops.length !== passes.length) return undefined;
    return mean(passes.map((pass) => pick(pass).opsPerSecond / (pass.bare?.opsPerSecond ?? Number.NaN)));
  };
  return {
    store: storeName,
    library: library.library,
    bareLabel: bare?.label,
    bare: bareLoops.length === 0 ? undefined : summarizeLoops(bareLoops),
    firstCall: summarizeLoops(passes.map((pass) => pass.firstCall)),
    replay: summarizeLoops(passes.map((pass) => pass.replay)),
    firstCallRatio: ratio((pass) => pass.firstCall),
    replayRatio: ratio((pass) => pass.replay),
    passes,
  };
}

function summarizeLoops(loops: readonly TimedLoopResult[]): LoopSummary {
  return {
    opsPerSecond: mean(loops.map((loop) => loop.opsPerSecond)),
    p50Ms: mean(loops.map((loop) => loop.p50Ms)),
    p99Ms: mean(loops.map((loop) => loop.p99Ms)),
    timeCapped: loops.some((loop) => loop.timeCapped),
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
