import type { BurstRow } from '../phases/concurrency.ts';
import type { FloorPath, FloorRow } from '../phases/floors.ts';
import type { InProcessRow, KeyFloorRow } from '../phases/in-process.ts';
import type { RoundTripPath, RoundTripRow } from '../phases/round-trips.ts';
import type { ThroughputRow } from '../phases/throughput.ts';

/** One target of idemkit's, checked against the run; Powertools' figure is shown beside it. */
export interface TargetResult {
  readonly target: string;
  readonly required: string;
  readonly idemkit: string;
  readonly powertools: string;
  /** The floors of the same run that limit the figure (a call is never faster than its floors), or `–`. */
  readonly floor: string;
  /** `not measured` when the store or the idemkit package was not available in the run. */
  readonly status: 'PASS' | 'MISS' | 'not measured';
}

type Measured = {
  readonly roundTrips: readonly RoundTripRow[];
  readonly throughput: readonly ThroughputRow[];
  readonly floors: readonly FloorRow[];
  readonly bursts: readonly BurstRow[];
  readonly inProcess: readonly InProcessRow[];
  readonly keyFloors: readonly KeyFloorRow[];
};

const ROUND_TRIP_TARGETS: readonly [RoundTripPath, number][] = [
  ['first call', 2],
  ['replay', 1],
  ['in progress', 1],
  ['handler failure', 2],
  ['replay, local cache', 0],
];

/** Checks every target on the 1 KB event. */
export function evaluateTargets(measured: Measured): TargetResult[] {
  return [
    ...roundTripTargets(measured.roundTrips, 'Redis'),
    ...roundTripTargets(measured.roundTrips, 'DynamoDB Local'),
    ratioTarget(measured, 'Redis', 'first call', 0.45),
    ratioTarget(measured, 'Redis', 'replay', 0.8),
    ratioTarget(measured, 'DynamoDB Local', 'first call', 0.45),
    ratioTarget(measured, 'DynamoDB Local', 'replay', 0.9),
    inProcessTarget(measured, '1 KB, string body', 'firstCall', 'in-process first call, 1 KB', 8),
    inProcessTarget(measured, '1 KB, string body', 'replay', 'in-process replay, 1 KB', 5),
    derivationTarget(measured, '64 KB, string body'),
    derivationTarget(measured, '64 KB, parsed body'),
    burstTarget(measured.bursts),
  ];
}

function roundTripTargets(rows: readonly RoundTripRow[], store: string): TargetResult[] {
  const idemkit = rows.find((row) => row.store === store && row.library === 'idemkit');
  const powertools = rows.find((row) => row.store === store && row.library === 'Powertools');
  return ROUND_TRIP_TARGETS.map(([path, required]) => {
    const value = idemkit?.paths[path];
    return {
      target: `${store} round trips, ${path}`,
      required: String(required),
      idemkit: value === undefined ? '–' : describeCount(value.requests, value.pathTaken),
      powertools: powertools === undefined ? '–' : describeCount(powertools.paths[path].requests, powertools.paths[path].pathTaken),
      floor: '–',
      status: statusOf(value, value !== undefined && value.requests === required && value.pathTaken),
    };
  });
}

function ratioTarget(measured: Measured, store: string, path: FloorPath, minimum: number): TargetResult {
  const ratio = (library: string): number | undefined => {
    const row = measured.throughput.find((candidate) => candidate.store === store && candidate.library === library);
    return path === 'first call' ? row?.firstCallRatio : row?.replayRatio;
  };
  const idemkit = ratio('idemkit');
  return {
    target: `${store} ${path} ops/s ÷ bare ops/s`,
    required: `≥ ${minimum.toFixed(2)}×`,
    idemkit: formatRatio(idemkit),
    powertools: formatRatio(ratio('Powertools')),
    floor: describeFloors(measured.floors.filter((floor) => floor.store === store && floor.path === path && floor.kind === 'floor')),
    status: statusOf(idemkit, idemkit !== undefined && idemkit >= minimum),
  };
}

function inProcessTarget(measured: Measured, shape: string, path: 'firstCall' | 'replay', target: string, maximumMicroseconds: number): TargetResult {
  const cost = (library: string): number | undefined => measured.inProcess.find((row) => row.shape === shape && row.library === library)?.[path].microsecondsPerCall;
  const idemkit = cost('idemkit');
  return {
    target,
    required: `≤ ${maximumMicroseconds} µs`,
    idemkit: formatMicroseconds(idemkit),
    powertools: formatMicroseconds(cost('Powertools')),
    floor: describeKeyFloor(measured.keyFloors, shape, (microseconds) => formatMicroseconds(microseconds)),
    status: statusOf(idemkit, idemkit !== undefined && idemkit <= maximumMicroseconds),
  };
}

/** Requires at most 0.2 ms for one derivation of a 64 KB event, and one derivation per call, first call and replay alike. */
function derivationTarget(measured: Measured, shape: string): TargetResult {
  const rows = measured.inProcess;
  const describe = (row: InProcessRow | undefined): string =>
    row === undefined ? '–' : `${(row.keyDerivation.microsecondsPerCall / 1000).toFixed(3)} ms × ${row.derivationsPerFirstCall} (first) / × ${row.derivationsPerReplay} (replay)`;
  const idemkit = rows.find((row) => row.shape === shape && row.library === 'idemkit');
  const pass = idemkit !== undefined && idemkit.keyDerivation.microsecondsPerCall <= 200 && idemkit.derivationsPerFirstCall === 1 && idemkit.derivationsPerReplay === 1;
  return {
    target: `key derivation, ${shape}`,
    required: '≤ 0.2 ms, once per call',
    idemkit: describe(idemkit),
    powertools: describe(rows.find((row) => row.shape === shape && row.library === 'Powertools')),
    floor: describeKeyFloor(measured.keyFloors, shape, (microseconds) => `${(microseconds / 1000).toFixed(3)} ms`),
    status: statusOf(idemkit, pass),
  };
}

function burstTarget(rows: readonly BurstRow[]): TargetResult {
  const middy = rows.filter((row) => row.entryPoint === 'Middy');
  const describe = (library: string): string => {
    const runs = middy.filter((row) => row.library === library).flatMap((row) => row.handlerRunsPerRound);
    return runs.length === 0 ? '–' : `${Math.min(...runs)}–${Math.max(...runs)} over ${runs.length} rounds`;
  };
  const idemkitRuns = middy.filter((row) => row.library === 'idemkit').flatMap((row) => row.handlerRunsPerRound);
  return {
    target: 'handler runs per 64-call burst through Middy, every store',
    required: '1',
    idemkit: describe('idemkit'),
    powertools: describe('Powertools'),
    floor: '–',
    status: statusOf(idemkitRuns.length === 0 ? undefined : idemkitRuns, idemkitRuns.every((runs) => runs === 1)),
  };
}

function describeFloors(floors: readonly FloorRow[]): string {
  return floors.length === 0 ? '–' : floors.map((floor) => `${floor.label}: ${formatRatio(floor.ratio)}`).join('; ');
}

function describeKeyFloor(floors: readonly KeyFloorRow[], shape: string, format: (microseconds: number) => string): string {
  const floor = floors.find((row) => row.shape === shape);
  return floor === undefined ? '–' : `JSON.stringify + SHA-256 of the event: ${format(floor.loop.microsecondsPerCall)}`;
}

/** `not measured` without an idemkit figure, else PASS or MISS. */
function statusOf(idemkitFigure: unknown, met: boolean): TargetResult['status'] {
  if (idemkitFigure === undefined) return 'not measured';
  return met ? 'PASS' : 'MISS';
}

function describeCount(requests: number, pathTaken: boolean): string {
  return pathTaken ? String(requests) : `${requests} (path not taken)`;
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `${ratio.toFixed(2)}×`;
}

function formatMicroseconds(microseconds: number | undefined): string {
  return microseconds === undefined ? '–' : `${microseconds.toFixed(1)} µs`;
}
