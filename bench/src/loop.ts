import { performance } from 'node:perf_hooks';

/** Sequential calls with a latency per call. */
export interface TimedLoopResult {
  readonly calls: number;
  readonly elapsedMs: number;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** True when the time cap, not the count, ended the loop. */
  readonly timeCapped: boolean;
}

/** Calls with only the total time taken, for operations too short to time one by one. */
export interface BatchLoopResult {
  readonly calls: number;
  readonly elapsedMs: number;
  readonly microsecondsPerCall: number;
  readonly timeCapped: boolean;
}

/**
 * Runs `call(0)`, `call(1)`, … one after another until `count` calls or `maxMs` have passed,
 * and times each call.
 */
export async function timedLoop(count: number, maxMs: number, call: (index: number) => Promise<unknown>): Promise<TimedLoopResult> {
  const latencies = new Float64Array(count);
  const start = performance.now();
  const deadline = start + maxMs;
  let calls = 0;
  while (calls < count) {
    const before = performance.now();
    if (before > deadline) break;
    await call(calls);
    latencies[calls] = performance.now() - before;
    calls += 1;
  }
  const elapsedMs = performance.now() - start;

  const sorted = latencies.subarray(0, calls).sort();
  return {
    calls,
    elapsedMs,
    opsPerSecond: calls === 0 ? 0 : (calls * 1000) / elapsedMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    timeCapped: calls < count,
  };
}

// The clock is read every 64 calls, not on each, so that reading it adds next to nothing to the cheapest calls.
const CLOCK_CHECK_INTERVAL = 64;

/** Runs `call(index)` until `count` calls or `maxMs` have passed, timing only the whole batch. */
export async function batchLoop(count: number, maxMs: number, call: (index: number) => unknown): Promise<BatchLoopResult> {
  const start = performance.now();
  const deadline = start + maxMs;
  let calls = 0;
  while (calls < count) {
    if (calls % CLOCK_CHECK_INTERVAL === 0 && performance.now() > deadline) break;
    await call(calls);
    calls += 1;
  }
  const elapsedMs = performance.now() - start;
  return { calls, elapsedMs, microsecondsPerCall: calls === 0 ? 0 : (elapsedMs * 1000) / calls, timeCapped: calls < count };
}

/** Returns the nearest-rank percentile of ascending values, or 0 when there are none. */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? 0;
}
