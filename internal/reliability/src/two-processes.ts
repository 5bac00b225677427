import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { ChildStore } from './child-stores.ts';

/** The observations of one child process of {@link runTwoProcessBurst}. */
export interface ChildReport {
  readonly executions: number;
  readonly values: string[];
  readonly inProgress: number;
  readonly other: string[];
}

const CHILD_SCRIPT = fileURLToPath(new URL('./burst-child.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 30_000;

/**
 * Starts two Node.js processes on the same store and key. Once both are ready, it signals both
 * to fire `calls` concurrent calls at once, and returns what each observed. The children import
 * the built packages, so the workspace must be built.
 */
export async function runTwoProcessBurst(store: ChildStore, key: string, calls: number): Promise<ChildReport[]> {
  const children = [0, 1].map(() => startChild(store, key, calls));
  await Promise.all(children.map((child) => child.ready));
  for (const child of children) child.go();
  return Promise.all(children.map((child) => child.report));
}

function startChild(store: ChildStore, key: string, calls: number): { ready: Promise<void>; go(): void; report: Promise<ChildReport> } {
  const child = spawn(process.execPath, [CHILD_SCRIPT, JSON.stringify(store), key, String(calls)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });

  const report = new Promise<ChildReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The child process did not finish within ${CHILD_TIMEOUT_MS} ms. stderr: ${errors}`));
    }, CHILD_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        markReady();
        reject(new Error(`The child process exited with code ${code}. stderr: ${errors} stdout: ${output}`));
        return;
      }
      resolve(JSON.parse(last) as ChildReport);
    });
  });
  return { ready: Promise.race([ready, report.then(() => undefined)]), go: () => child.stdin.write('go\n'), report };
}
