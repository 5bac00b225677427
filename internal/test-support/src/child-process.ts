import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARACTERS = 4_000;

/**
 * Stops a child process by its id: SIGTERM, then SIGKILL when it has not exited after 5 s.
 * Resolves once it has exited; does nothing when it already has.
 *
 * @example
 * ```ts
 * const child = spawn('redis-server', args);
 * afterAll(() => stopChildProcess(child));
 * ```
 */
export async function stopChildProcess(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;

  const exit = once(child, 'exit');
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
  }, STOP_GRACE_MS);
  await exit;
  clearTimeout(timer);
}

/**
 * Keeps the last few thousand characters that a child process printed, for error messages.
 *
 * @example
 * ```ts
 * const output = collectChildOutput(child);
 * throw new Error(`redis-server did not start:\n${output()}`);
 * ```
 */
export function collectChildOutput(child: ChildProcess): () => string {
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARACTERS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => tail;
}
