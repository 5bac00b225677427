import { performance } from 'node:perf_hooks';

const started = performance.now();

/** Writes one progress line to stderr, with the seconds since the bench started. */
export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}
