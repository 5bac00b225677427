import type { BenchConfig } from '../config.ts';
import { benchContext, buildEvent, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import { batchLoop } from '../loop.ts';
import type { LibraryUnderTest } from '../libraries/library.ts';
import type { OpenStore } from '../stores/store.ts';

export interface HeapRow {
  readonly library: string;
  readonly keys: number;
  readonly timeCapped: boolean;
  /** heapUsed before the wrapper was made: the run's heap without this library's store and cache. */
  readonly heapAtStartMiB: number;
  /** heapUsed once the store and the cache are full, before the measured keys. */
  readonly heapBeforeMiB: number;
  readonly heapAfterMiB: number;
  readonly growthMiB: number;
  readonly microsecondsPerCall: number;
}

const MIB = 1024 * 1024;

/**
 * Measures heap growth over many distinct keys through the wrapper with the local cache on, on
 * the memory store. Both the store and the cache are bounded by `maxItems`, so the heap should
 * stop growing once they are full. The heap is read after `global.gc()` (node --expose-gc), and
 * node runs with --no-flush-bytecode. Otherwise V8 drops, during the loop, the bytecode of functions
 * that have not run for several collections, which lowers the heap by a few MiB whatever the
 * library does.
 */
export async function measureHeap(memory: OpenStore, config: BenchConfig, runId: string): Promise<HeapRow[]> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('global.gc is missing: run the bench with node --expose-gc (pnpm bench does).');

  const rows: HeapRow[] = [];
  // One function call per library, so that nothing of the previous library is reachable when the next one starts.
  for (const { library } of memory.libraries) rows.push(await measureLibrary(library, collect, config, runId));
  return rows;
}

async function measureLibrary(library: LibraryUnderTest, collect: () => void, config: BenchConfig, runId: string): Promise<HeapRow> {
  collectTwice(collect);
  const atStart = process.memoryUsage().heapUsed;
  const context = benchContext();
  const call = library.wrap(new BenchHandler(), { namespace: `bench-heap-${runId}`, localCacheMaxItems: config.localCacheMaxItems });
  const base = buildEvent('1 KB, string body', 'base');

  // Fills the store and the cache first, twice over, so their bounded size and their Maps'
  // grown tables are part of the baseline.
  await batchLoop(2 * config.memoryStoreMaxItems, config.heapMaxMs, (index) => call(withRequestId(base, `${runId}-fill-${index}`), context));
  collectTwice(collect);
  const before = process.memoryUsage().heapUsed;
  const result = await batchLoop(config.heapKeys, config.heapMaxMs, (index) => call(withRequestId(base, `${runId}-${index}`), context));
  collectTwice(collect);
  const after = process.memoryUsage().heapUsed;
  // Keeps the wrapper, its store and its cache alive until after the second measurement.
  await call(base, context);

  return {
    library: library.library,
    keys: result.calls,
    timeCapped: result.timeCapped,
    heapAtStartMiB: atStart / MIB,
    heapBeforeMiB: before / MIB,
    heapAfterMiB: after / MIB,
    growthMiB: (after - before) / MIB,
    microsecondsPerCall: result.microsecondsPerCall,
  };
}

// A second full collection also frees objects that only became unreachable during the first (weak references, finalizers).
function collectTwice(collect: () => void): void {
  collect();
  collect();
}
