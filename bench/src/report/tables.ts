import { ROUND_TRIP_PATHS, type PathCount } from '../phases/round-trips.ts';
import type { LoopSummary } from '../phases/throughput.ts';
import type { BenchResults } from './results.ts';

/** A table that both the terminal and the Markdown report render. */
export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table. */
  readonly notes: readonly string[];
}

/** Builds every table of the report, in order. */
export function buildTables(results: BenchResults): Table[] {
  return [storesTable(results), roundTripTable(results), throughputTable(results), floorsTable(results), burstTable(results), inProcessTable(results), heapTable(results), targetTable(results)];
}

function storesTable(results: BenchResults): Table {
  return {
    title: 'Stores',
    headers: ['store', 'server', 'libraries run', 'notes'],
    rows: results.stores.map((store) => [store.name, store.server, store.libraries.join(', ') || 'none', store.notes.join(' ') || '–']),
    notes: [],
  };
}

function roundTripTable(results: BenchResults): Table {
  const cell = (count: PathCount): string => {
    const server = count.serverCommands === undefined ? '' : ` [${count.serverCommands}]`;
    return `${count.requests}${server}${count.pathTaken ? '' : ' (path not taken)'}`;
  };
  return {
    title: 'Round trips per call (1 KB event)',
    headers: ['store', 'library', ...ROUND_TRIP_PATHS, 'counted by'],
    rows: results.roundTrips.map((row) => [row.store, row.library, ...ROUND_TRIP_PATHS.map((path) => cell(row.paths[path])), row.counting]),
    notes: [
      '[n]: Redis commands the server ran, commands inside Lua scripts included (INFO commandstats delta).',
      '"replay, local cache" is a repeat served by the library\'s local cache (idemkit localCache, Powertools useLocalCache).',
    ],
  };
}

function throughputTable(results: BenchResults): Table {
  const ratio = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(2)}×`);
  return {
    title: 'Sequential throughput (1 KB event, no local cache)',
    headers: ['store', 'library', 'bare op', 'bare ops/s', 'bare p50 / p99 ms', 'first call ops/s', 'first p50 / p99 ms', 'first ÷ bare', 'replay ops/s', 'replay p50 / p99 ms', 'replay ÷ bare'],
    rows: results.throughput.map((row) => [
      row.store,
      row.library,
      row.bareLabel ?? '–',
      ops(row.bare),
      latency(row.bare),
      ops(row.firstCall),
      latency(row.firstCall),
      ratio(row.firstCallRatio),
      ops(row.replay),
      latency(row.replay),
      ratio(row.replayRatio),
    ]),
    notes: [`The best of ${results.meta.config.throughputPasses} passes of each sequential loop (the most ops/s, with that loop's latencies), the libraries taking turns going first; * a loop hit its time cap before its count. A ratio divides by the best bare ops/s of the client the library runs on.`],
  };
}

/** Renders a loop's ops/s, with * when it hit its time cap. */
function ops(loop: LoopSummary | undefined): string {
  return loop === undefined ? '–' : `${Math.round(loop.opsPerSecond)}${loop.timeCapped ? '*' : ''}`;
}

/** Renders a loop's p50 and p99 latency in ms. */
function latency(loop: LoopSummary | undefined): string {
  return loop === undefined ? '–' : `${loop.p50Ms.toFixed(2)} / ${loop.p99Ms.toFixed(2)}`;
}

function floorsTable(results: BenchResults): Table {
  return {
    title: 'Floors: the store work of a path on its own, beside idemkit\'s whole call (1 KB event, idemkit\'s client)',
    headers: ['store', 'path', 'operation', 'ops/s', 'p50 / p99 ms', 'operation ÷ bare'],
    rows: results.floors.map((row) => [
      row.store,
      row.path,
      row.label,
      ops(row.loop),
      latency(row.loop),
      `${row.ratio.toFixed(2)}×`,
    ]),
    notes: [
      'A floor runs only the store work of the path: no key derivation, no serialization, no engine. "adapter" calls idemkit\'s persistence layer directly; the raw rows are commands that any design of the path needs at least. A whole call cannot beat its floors; the "idemkit whole call" rows run in the same passes for comparison.',
      `Each row is the best of ${results.meta.config.throughputPasses} passes, divided by the best bare round trip timed in the same passes.`,
    ],
  };
}

function burstTable(results: BenchResults): Table {
  return {
    title: 'Concurrent calls on one key',
    headers: ['store', 'library', 'entry point', 'calls/s', 'handler runs per round', 'results / in progress / other errors'],
    rows: results.bursts.map((row) => [
      row.store,
      row.library,
      row.entryPoint,
      String(Math.round(row.callsPerSecond)),
      row.handlerRunsPerRound.join(' '),
      `${row.results} / ${row.inProgress} / ${row.otherErrors}${row.firstOtherError === undefined ? '' : ` (${row.firstOtherError})`}`,
    ]),
    notes: [`Each round fires ${results.meta.config.burstCalls} calls with one new event at once; ${results.meta.config.burstRounds} rounds per row.`],
  };
}

function inProcessTable(results: BenchResults): Table {
  const micro = (value: number, capped: boolean): string => `${value.toFixed(1)}${capped ? '*' : ''}`;
  return {
    title: 'In-process cost on the memory store (µs per call)',
    headers: ['event', 'library', 'key derivation', 'first call', 'replay', 'derivations per first call / replay'],
    rows: results.inProcess.map((row) => [
      row.shape,
      row.library,
      micro(row.keyDerivation.microsecondsPerCall, row.keyDerivation.timeCapped),
      micro(row.firstCall.microsecondsPerCall, row.firstCall.timeCapped),
      micro(row.replay.microsecondsPerCall, row.replay.timeCapped),
      `${row.derivationsPerFirstCall} / ${row.derivationsPerReplay}`,
    ]).concat(results.keyFloors.map((floor) => [floor.shape, `floor: ${floor.label}`, micro(floor.loop.microsecondsPerCall, floor.loop.timeCapped), '–', '–', '–'])),
    notes: [`The mean per call over one loop, from the fastest of ${results.meta.config.inProcessRounds} rounds (the libraries take turns going first); * the loop hit its time cap before its count. The whole event is the key material for both libraries.`],
  };
}

function heapTable(results: BenchResults): Table {
  const { localCacheMaxItems, memoryStoreMaxItems } = results.meta.config;
  return {
    title: `Heap growth over distinct keys (local cache maxItems ${localCacheMaxItems}, memory store maxItems ${memoryStoreMaxItems})`,
    headers: ['library', 'keys', 'heap at start (MiB)', 'store and cache full (MiB)', 'after the keys (MiB)', 'growth over the keys (MiB)', 'µs per call'],
    rows: results.heap.map((row) => [
      row.library,
      `${row.keys}${row.timeCapped ? '*' : ''}`,
      row.heapAtStartMiB.toFixed(1),
      row.heapBeforeMiB.toFixed(1),
      row.heapAfterMiB.toFixed(1),
      row.growthMiB.toFixed(1),
      row.microsecondsPerCall.toFixed(1),
    ]),
    notes: ['heapUsed after global.gc(): before the wrapper is made, after filling its store and cache with twice the store\'s maxItems keys, and after the measured keys. The heap phase runs first, with V8 bytecode flushing off (node --no-flush-bytecode); * time cap reached.'],
  };
}

function targetTable(results: BenchResults): Table {
  return {
    title: 'Targets (idemkit; Powertools for comparison)',
    headers: ['target', 'required', 'idemkit', 'status', 'Powertools', 'floor in this run'],
    rows: results.targets.map((target) => [target.target, target.required, target.idemkit, target.status, target.powertools, target.floor]),
    notes: [
      'A floor times only one operation that the path runs (see the floors table and the floor rows of the in-process table). A whole call is never faster than its floors, so a target that a floor already misses cannot be met by changing the code around that operation, only by replacing the operation.',
    ],
  };
}
