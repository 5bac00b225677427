import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

interface BuiltPackage {
  readonly name: string;
  /** The built file whose age is compared. */
  readonly output: string;
  /** Files and folders the build reads. */
  readonly inputs: readonly string[];
}

const PACKAGES: readonly BuiltPackage[] = [
  {
    name: '@idemkit/idempotency-core',
    output: 'packages/core/dist/index.js',
    inputs: ['packages/core/src', 'packages/core/package.json', 'packages/core/tsdown.config.ts'],
  },
  {
    name: '@idemkit/idempotency-upstash-rest',
    output: 'packages/upstash-rest/dist/index.js',
    inputs: ['packages/upstash-rest/src', 'internal/redis-scripts/src', 'packages/upstash-rest/package.json', 'packages/upstash-rest/tsdown.config.ts'],
  },
];

/**
 * Builds core and this package when their dist is missing or older than a source, so that the
 * edge test bundles the current sources. After the root `pnpm test`, which builds first, both
 * are fresh and nothing is built here.
 */
export default function setup(): void {
  const stale = PACKAGES.filter((pkg) => builtAtMs(pkg.output) < newestInputMs(pkg.inputs));
  if (stale.length === 0) return;

  const filters = stale.flatMap((pkg) => ['--filter', pkg.name]);
  try {
    execFileSync('pnpm', [...filters, 'run', 'build'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const output = String((error as { stdout?: unknown }).stdout ?? '') + String((error as { stderr?: unknown }).stderr ?? '');
    throw new Error(`Building ${stale.map((pkg) => pkg.name).join(' and ')} for the edge test failed; run pnpm build from the repository root.\n${output}`, {
      cause: error,
    });
  }
}

function builtAtMs(path: string): number {
  try {
    return statSync(join(root, path)).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

function newestInputMs(paths: readonly string[]): number {
  let newest = 0;
  for (const path of paths) {
    const full = join(root, path);
    const stat = statSync(full);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}
