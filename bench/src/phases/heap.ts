import type { BenchConfig } from '../config.ts';
import { benchContext, buildEvent, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import { batchLoop } from '../loop.ts';
import type { OpenStore } from '../stores/store.ts';

export interface HeapRow {
  readonly library: string;
  readonly keys: number;
  readonly timeCapped: boolean;
  readonly heapBeforeMiB: number;
  readonly heapAfterMiB: number;
  readonly growthMiB: number;
  readonly microsecondsPerCall: number;
}

const MIB = 1024 * 1024;

/**
 * Measures heap growth over many distinct keys through the wrapper with the local cache on, on
 * the memory store. Both the store and the cache are bounded by `maxItems`, so the heap should
 * stop growing once they are full. The heap is read after `global.gc()` (node --expose-gc).
 */
export async function measureHeap(memory: OpenStore, config: BenchConfig, runId: string): Promise<HeapRow[]> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('global.gc is missing: run the bench with node --expose-gc (pnpm bench does).');

  const rows: HeapRow[] = [];
  for (const { library } of memory.libraries) {
    const handler = new BenchHandler();
    const context = benchContext();
    const call = library.wrap(handler, { namespace: `bench-heap-${runId}`, localCacheMaxItems: config.localCacheMaxItems });
    const base = buildEvent('1 KB, string body', 'base');

    // Fills the store and the cache first, so their bounded size is part of the baseline.
    await batchLoop(config.memoryStoreMaxItems, config.heapMaxMs, (index) => call(withRequestId(base, `${runId}-fill-${index}`), context));
    collectTwice(collect);
    const before = process.memoryUsage().heapUsed;
    const result = await batchLoop(config.heapKeys, config.heapMaxMs, (index) => call(withRequestId(base, `${runId}-${index}`), context));
    collectTwice(collect);
    const after = process.memoryUsage().heapUsed;
    // Keeps the wrapper, its store and its cache alive until after the second measurement.
    await call(base, context);

    rows.push({
      library: library.library,
      keys: result.calls,
      timeCapped: result.timeCapped,
      heapBeforeMiB: before / MIB,
      heapAfterMiB: after / MIB,
      growthMiB: (after - before) / MIB,
      microsecondsPerCall: result.microsecondsPerCall,
    });
  }
  return rows;
}

// A second full collection also frees objects that only became collectable during the first (weak references, finalizers).
function collectTwice(collect: () => void): void {
  collect();
  collect();
}
