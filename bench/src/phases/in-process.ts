import { hash } from 'node:crypto';

import type { BenchConfig } from '../config.ts';
import { type ApiEvent, benchContext, buildEvent, EVENT_SHAPES, type EventShape, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import { batchLoop, type BatchLoopResult } from '../loop.ts';
import type { LibraryUnderTest } from '../libraries/library.ts';
import type { OpenStore } from '../stores/store.ts';

/** One library's in-process loops on one event shape. */
interface InProcessLoops {
  /** The library's key derivation alone. */
  readonly keyDerivation: BatchLoopResult;
  /** A whole call through the wrapper on the memory store, a new key each time. */
  readonly firstCall: BatchLoopResult;
  /** A whole call that replays a stored result, no local cache. */
  readonly replay: BatchLoopResult;
}

export interface InProcessRow extends InProcessLoops {
  readonly library: string;
  readonly shape: EventShape;
  /** Key derivations in one first call and in one replay. */
  readonly derivationsPerFirstCall: number;
  readonly derivationsPerReplay: number;
}

/**
 * The cost of hashing the whole event as JSON text with no member sorting: the minimum for any
 * key derivation that hashes JSON, canonical or not.
 */
export interface KeyFloorRow {
  readonly shape: EventShape;
  readonly label: string;
  readonly loop: BatchLoopResult;
}

const KEY_FLOOR_LABEL = 'JSON.stringify + SHA-256 (node:crypto hash), members in insertion order';

/**
 * Measures each library's own work on the memory store, so no I/O is timed: key derivation, a
 * first call and a replay, for each event shape. Both libraries get the whole event as key
 * material, and every call is awaited, also Powertools' synchronous key derivation. The loops
 * run in `inProcessRounds` rounds with the libraries taking turns going first, and each figure is
 * the fastest round's, the one least disturbed by other work on the machine.
 */
export async function measureInProcess(memory: OpenStore, config: BenchConfig, runId: string): Promise<{ rows: InProcessRow[]; keyFloors: KeyFloorRow[] }> {
  const rows: InProcessRow[] = [];
  const keyFloors: KeyFloorRow[] = [];
  for (const shape of EVENT_SHAPES) {
    const base = buildEvent(shape, 'base');
    // Built before timing, so the loops time the call and not the event's copy.
    const distinct = Array.from({ length: config.inProcessCalls + config.warmupCalls }, (_, index) => withRequestId(base, `${runId}-${index}`));

    const fastest = new Map<LibraryUnderTest, InProcessLoops>();
    let keyFloor: BatchLoopResult | undefined;
    for (let round = 0; round < config.inProcessRounds; round++) {
      const floor = await measureKeyFloor(base, distinct, config);
      if (keyFloor === undefined || floor.microsecondsPerCall < keyFloor.microsecondsPerCall) keyFloor = floor;
      const libraries = memory.libraries.map((entry) => entry.library);
      for (const library of round % 2 === 0 ? libraries : libraries.reverse()) {
        const loops = await measureLoops(library, base, distinct, config, `bench-cpu-${runId}-${shape}-${round}`);
        fastest.set(library, keepFastest(fastest.get(library), loops));
      }
    }

    for (const [library, loops] of fastest) {
      rows.push({ library: library.library, shape, ...loops, ...(await countDerivations(library, base, `bench-count-${runId}-${shape}`)) });
    }
    if (keyFloor !== undefined) keyFloors.push({ shape, label: KEY_FLOOR_LABEL, loop: keyFloor });
  }
  return { rows, keyFloors };
}

async function measureKeyFloor(base: ApiEvent, distinct: readonly ApiEvent[], config: BenchConfig): Promise<BatchLoopResult> {
  const floor = (index: number) => hash('sha256', JSON.stringify(distinct[index] ?? base), 'base64url');
  await batchLoop(config.warmupCalls, config.inProcessMaxMs, floor);
  return batchLoop(config.inProcessCalls, config.inProcessMaxMs, floor);
}

async function measureLoops(library: LibraryUnderTest, base: ApiEvent, distinct: readonly ApiEvent[], config: BenchConfig, namespace: string): Promise<InProcessLoops> {
  const context = benchContext();
  const loop = (run: (index: number) => unknown) => batchLoop(config.inProcessCalls, config.inProcessMaxMs, run);

  const derive = library.keyDeriver(namespace);
  await batchLoop(config.warmupCalls, config.inProcessMaxMs, (index) => derive(distinct[index] ?? base));
  const keyDerivation = await loop((index) => derive(distinct[index] ?? base));

  const call = library.wrap(new BenchHandler(), { namespace });
  const warm = distinct.slice(config.inProcessCalls);
  await batchLoop(warm.length, config.inProcessMaxMs, (index) => call(warm[index] ?? base, context));
  const firstCall = await loop((index) => call(distinct[index] ?? base, context));
  const replay = await loop(() => call(base, context));
  return { keyDerivation, firstCall, replay };
}

function keepFastest(current: InProcessLoops | undefined, next: InProcessLoops): InProcessLoops {
  if (current === undefined) return next;
  const faster = (a: BatchLoopResult, b: BatchLoopResult): BatchLoopResult => (a.microsecondsPerCall <= b.microsecondsPerCall ? a : b);
  return { keyDerivation: faster(current.keyDerivation, next.keyDerivation), firstCall: faster(current.firstCall, next.firstCall), replay: faster(current.replay, next.replay) };
}

async function countDerivations(library: LibraryUnderTest, base: ApiEvent, namespace: string): Promise<Pick<InProcessRow, 'derivationsPerFirstCall' | 'derivationsPerReplay'>> {
  const call = library.wrap(new BenchHandler(), { namespace });
  const event = withRequestId(base, `${namespace}-count`);

  const before = library.keyDerivations();
  await call(event, benchContext());
  const afterFirst = library.keyDerivations();
  await call(event, benchContext());
  const afterReplay = library.keyDerivations();
  return { derivationsPerFirstCall: afterFirst - before, derivationsPerReplay: afterReplay - afterFirst };
}
