import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { collectChildOutput, stopChildProcess } from './child-process.ts';
import { findFreePort } from './free-port.ts';

const execFileAsync = promisify(execFile);

/** A private redis-server process on a loopback port, with no persistence. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Process id of redis-server. */
  readonly pid: number;
  /** Stops the process by its id and deletes its working directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Arguments appended to the defaults, for example `['--cluster-enabled', 'yes']`. */
  readonly extraArgs?: readonly string[];
  /** Port to listen on. Default: a free port. */
  readonly port?: number;
  /** How long to wait for the first PONG, in ms. Default 10000. */
  readonly startTimeoutMs?: number;
  /** Sets `requirepass`; the readiness check then authenticates with it. */
  readonly password?: string;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 25;

/**
 * Starts `redis-server` (on PATH) on 127.0.0.1, without RDB snapshots or AOF, in a new temporary
 * directory, and resolves once it replies to PING. Use it where a test needs a server to itself:
 * counting commands, MONITOR, ACL users, stopping the server. Rejects with the process output
 * when redis-server is missing, exits, or does not reply within `startTimeoutMs`.
 *
 * @example
 * ```ts
 * const server = await startRedisServer();
 * afterAll(() => server.stop());
 * const client = new Redis(server.url);
 * ```
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await findFreePort());
  const directory = await mkdtemp(join(tmpdir(), 'idemkit-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory, ...(options.extraArgs ?? [])];
  if (options.password !== undefined) args.push('--requirepass', options.password);

  const child = spawn('redis-server', args, { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectChildOutput(child);
  const stop = async (): Promise<void> => {
    await stopChildProcess(child);
    await rm(directory, { recursive: true, force: true });
  };

  try {
    await waitUntilAnswering(child, port, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, options.password);
  } catch (error) {
    await stop();
    throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${(error as Error).message}\nOutput:\n${output()}`, { cause: error });
  }

  if (child.pid === undefined) throw new Error('redis-server started without a process id.');
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop };
}

/**
 * Runs `redis-cli` against the server on 127.0.0.1:`port` and returns what it printed. Rejects
 * when redis-cli exits with an error, for example when nothing listens on the port.
 *
 * @example
 * ```ts
 * const info = await redisCli(server.port, 'CLUSTER', 'INFO');
 * ```
 */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

async function waitUntilAnswering(child: ChildProcess, port: number, timeoutMs: number, password: string | undefined): Promise<void> {
  const auth = password === undefined ? [] : ['--no-auth-warning', '-a', password];
  let exitReason: string | undefined;
  child.once('error', (error) => {
    exitReason = `could not run redis-server: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    exitReason = `the process exited with ${signal ?? `code ${code}`}`;
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitReason !== undefined) throw new Error(exitReason);
    const reply = await redisCli(port, ...auth, 'PING').catch(() => '');
    if (reply.trim() === 'PONG') return;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`no PONG within ${timeoutMs} ms`);
}
