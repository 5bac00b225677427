import { deriveKey, makeIdempotent, type PersistenceLayer } from '@idemkit/idempotency-core';

import type { BenchConfig } from '../config.ts';
import { type ApiEvent, type BenchContext, benchContext, buildEvent, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import { timedLoop, type TimedLoopResult } from '../loop.ts';
import type { CompletedRecord, FloorOperation, OpenStore } from '../stores/store.ts';

/** The path of a call whose least possible cost a floor measures. */
export type FloorPath = 'first call' | 'replay';

/** One row of the floors phase (a floor, or a whole call beside it) in its best pass, as a ratio to the bare round trip of the same client. */
export interface FloorRow {
  readonly store: string;
  readonly label: string;
  readonly path: FloorPath;
  readonly kind: FloorOperation['kind'];
  readonly loop: TimedLoopResult;
  /** The best pass's ops/s divided by the best pass's bare ops/s of the same client. */
  readonly ratio: number;
}

const PATH_ORDER: readonly FloorPath[] = ['first call', 'replay'];

// The lease and lifetime of the floors' records: those of a call with 30 s left, kept for an hour.
const LEASE = { leaseMs: 30_000, expiresAfterMs: 3_600_000 } as const;

/**
 * Times the store work of a first call and of a replay without idemkit's engine around it: the
 * adapter's methods called directly, and raw commands on idemkit's client that any design of
 * the path needs at least. idemkit's whole calls run in the same passes, so the rows show how
 * much of a missed ratio is the store's and how much is idemkit's own work. Each pass times the
 * bare round trip first, and each figure is its best pass's.
 */
export async function measureFloors(store: OpenStore, config: BenchConfig, runId: string): Promise<FloorRow[]> {
  const floors = store.floors;
  if (floors === undefined) return [];
  const call = makeIdempotent(new BenchHandler().handle, { persistence: floors.layer, namespace: `bench-floor-${runId}` });
  const record = await completeOneCall(floors.layer, call, `bench-floor-${runId}`, runId);
  const operations = [...wholeCalls(call, runId), ...adapterFloors(floors.layer, record), ...floors.raw(record)].sort((a, b) => PATH_ORDER.indexOf(a.path) - PATH_ORDER.indexOf(b.path));

  const bare: TimedLoopResult[] = [];
  const passes = new Map<FloorOperation, TimedLoopResult[]>(operations.map((floor) => [floor, []]));
  const loop = (run: (index: number) => Promise<unknown>) => timedLoop(config.throughputCalls, config.throughputMaxMs, run);
  for (let pass = 0; pass < config.throughputPasses; pass++) {
    await timedLoop(config.warmupCalls, config.throughputMaxMs, (index) => floors.bare.run(-1 - index));
    bare.push(await loop((index) => floors.bare.run(index)));
    for (const floor of operations) {
      await timedLoop(config.warmupCalls, config.throughputMaxMs, (index) => floor.run(`${runId}-${pass}-warm-up-${index}`));
      passes.get(floor)?.push(await loop((index) => floor.run(`${runId}-${pass}-${index}`)));
    }
  }

  const bareBest = fastest(bare);
  return operations.map((floor) => {
    const best = fastest(passes.get(floor) ?? []);
    return { store: store.name, label: floor.label, path: floor.path, kind: floor.kind, loop: best, ratio: best.opsPerSecond / bareBest.opsPerSecond };
  });
}

function fastest(loops: readonly TimedLoopResult[]): TimedLoopResult {
  const best = loops.reduce<TimedLoopResult | undefined>((current, loop) => (current === undefined || loop.opsPerSecond > current.opsPerSecond ? loop : current), undefined);
  if (best === undefined) throw new Error('No floor pass ran; throughputPasses must be at least 1.');
  return best;
}

/**
 * Completes one call through `makeIdempotent` on `layer`, with the throughput phase's handler
 * and event shape, and returns the record it stored, so that the floors read what a replay reads.
 */
async function completeOneCall(layer: PersistenceLayer, call: WholeCall, namespace: string, runId: string): Promise<CompletedRecord> {
  const event = floorEvent(runId, 'replayed');
  await call(event, benchContext());
  const key = await deriveKey(event, { namespace });
  const record = await layer.get({ key, now: Date.now() });
  if (record?.response === undefined) throw new Error(`The call did not leave a COMPLETED record at ${key}, so the replay floors have nothing to read.`);
  return { key, response: record.response };
}

type WholeCall = (event: ApiEvent, context: BenchContext) => Promise<unknown>;

// Built once, so that a timed call copies the event as the throughput phase does and does not build it.
const FLOOR_BASE_EVENT = buildEvent('1 KB, string body', 'base');

function floorEvent(runId: string, name: string): ApiEvent {
  return withRequestId(FLOOR_BASE_EVENT, `${runId}-floor-${name}`);
}

/**
 * Returns idemkit's whole calls on the same layer, timed in the same passes as the floors: a
 * first call on a new event, and a replay of the record that the adapter floors read.
 */
function wholeCalls(call: WholeCall, runId: string): FloorOperation[] {
  const replayed = floorEvent(runId, 'replayed');
  return [
    { label: 'idemkit whole call, new event', path: 'first call', kind: 'whole call', run: (suffix) => call(floorEvent(runId, suffix), benchContext()) },
    { label: 'idemkit whole call, replay', path: 'replay', kind: 'whole call', run: () => call(replayed, benchContext()) },
  ];
}

/** Returns the adapter's floors: `acquire` then `complete` on a new key, and `acquire` of the completed record. */
function adapterFloors(layer: PersistenceLayer, record: CompletedRecord): FloorOperation[] {
  return [
    {
      label: 'adapter acquire + complete, new key',
      path: 'first call',
      kind: 'floor',
      run: async (suffix) => {
        const key = `${record.key}-new-${suffix}`;
        const leaseToken = `token-${suffix}`;
        await layer.acquire({ key, leaseToken, ...LEASE, now: Date.now() });
        await layer.complete({ key, leaseToken, response: record.response, now: Date.now() });
      },
    },
    {
      label: 'adapter acquire of the completed record',
      path: 'replay',
      kind: 'floor',
      run: (suffix) => layer.acquire({ key: record.key, leaseToken: `token-${suffix}`, ...LEASE, now: Date.now() }),
    },
  ];
}
