import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import type { BenchConfig } from '../config.ts';
import { progress } from '../progress.ts';
import { renderBenchmarks } from './markdown.ts';
import { renderText } from './render.ts';
import { type BenchResults, collectMeta } from './results.ts';
import { buildTables } from './tables.ts';
import { evaluateTargets } from './targets.ts';

const RESULTS_DIRECTORY = fileURLToPath(new URL('../../results/', import.meta.url));
const BENCHMARKS_PAGE = fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url));

/**
 * Prints the tables and writes the results. A full run writes bench/results/latest.json and
 * BENCHMARKS.md at the repository root. A smoke run writes both to ignored `.tmp` files in
 * bench/results instead, so it exercises every step without touching the published figures.
 */
export async function writeReports(measured: Omit<BenchResults, 'meta' | 'targets'>, config: BenchConfig): Promise<void> {
  const results: BenchResults = { meta: collectMeta(config), ...measured, targets: evaluateTargets(measured) };
  const tables = buildTables(results);
  process.stdout.write(`${tables.map(renderText).join('\n\n')}\n`);

  await mkdir(RESULTS_DIRECTORY, { recursive: true });
  const jsonPath = `${RESULTS_DIRECTORY}${config.smoke ? 'smoke.json.tmp' : 'latest.json'}`;
  const pagePath = config.smoke ? `${RESULTS_DIRECTORY}BENCHMARKS.md.tmp` : BENCHMARKS_PAGE;
  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(pagePath, renderBenchmarks(results, tables));
  progress(`wrote ${jsonPath} and ${pagePath}`);
}
