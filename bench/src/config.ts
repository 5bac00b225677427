/** Counts and time caps of one run. Every loop stops at whichever of its two limits comes first. */
export interface BenchConfig {
  readonly smoke: boolean;
  /** Sequential calls per throughput loop, and the loop's time cap in ms. */
  readonly throughputCalls: number;
  readonly throughputMaxMs: number;
  /** Calls before a timed loop starts: connections, script cache, JIT. */
  readonly warmupCalls: number;
  /** How long each store is exercised, in ms, before its first timed loop. DynamoDB Local's JVM needs seconds. */
  readonly storeWarmupMs: number;
  /** Throughput passes per store. The libraries take turns going first, and the report shows each loop's best pass. */
  readonly throughputPasses: number;
  /** Rounds of the in-process loops. The libraries take turns going first, and the report shows the fastest round. */
  readonly inProcessRounds: number;
  /** Calls per in-process measurement (one event size, one path), and its time cap in ms. */
  readonly inProcessCalls: number;
  readonly inProcessMaxMs: number;
  /** Concurrent calls on one key per round, and rounds per library, entry point and store. */
  readonly burstCalls: number;
  readonly burstRounds: number;
  /** Distinct keys for the heap measurement, and its time cap in ms per library. */
  readonly heapKeys: number;
  readonly heapMaxMs: number;
  /** `maxItems` of the local cache in the heap measurement, and of both memory stores. */
  readonly localCacheMaxItems: number;
  readonly memoryStoreMaxItems: number;
}

const FULL: BenchConfig = {
  smoke: false,
  throughputCalls: 2_000,
  throughputMaxMs: 15_000,
  warmupCalls: 200,
  storeWarmupMs: 8_000,
  throughputPasses: 3,
  inProcessRounds: 3,
  inProcessCalls: 20_000,
  inProcessMaxMs: 2_000,
  burstCalls: 64,
  burstRounds: 10,
  heapKeys: 1_000_000,
  heapMaxMs: 120_000,
  localCacheMaxItems: 1_000,
  memoryStoreMaxItems: 10_000,
};

// Small enough to finish in seconds, large enough that every path and every table runs.
const SMOKE: BenchConfig = {
  smoke: true,
  throughputCalls: 20,
  throughputMaxMs: 2_000,
  warmupCalls: 5,
  storeWarmupMs: 100,
  throughputPasses: 2,
  inProcessRounds: 2,
  inProcessCalls: 50,
  inProcessMaxMs: 500,
  burstCalls: 64,
  burstRounds: 2,
  heapKeys: 2_000,
  heapMaxMs: 2_000,
  localCacheMaxItems: 100,
  memoryStoreMaxItems: 1_000,
};

/** Reads the command line: `--smoke` picks the small configuration. */
export function parseArguments(argv: readonly string[]): BenchConfig {
  const unknown = argv.filter((argument) => argument !== '--smoke');
  if (unknown.length > 0) {
    throw new Error(`Unknown argument ${unknown.join(' ')}; the only option is --smoke (tiny counts, no BENCHMARKS.md rewrite).`);
  }
  return argv.includes('--smoke') ? SMOKE : FULL;
}
