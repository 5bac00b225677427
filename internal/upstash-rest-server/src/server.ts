import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type ParsedBody, parseBatchBody, parseCommandBody, type RedisCommand } from './commands.ts';
import { type Endpoint, execute } from './execute.ts';
import { FaultQueue, type FaultSwitches, type FiredFault } from './faults.ts';
import { endpointOf, isAuthorized, readBody, sendJson, wantsBase64 } from './http.ts';
import { createServerLog, type ServerLog } from './logger.ts';
import { resolveOptions, type UpstashRestServerOptions } from './options.ts';
import { RedisConnections } from './redis-connections.ts';
import { type ServerStats, StatsRecorder } from './stats.ts';

/**
 * A running test server. Point an `@upstash/redis` client at `url` with `token`.
 *
 * @example
 * ```ts
 * const server = await startUpstashRestServer();
 * const redis = new Redis({ url: server.url, token: server.token });
 * await redis.set('greeting', 'hello');
 * await server.close();
 * ```
 */
export interface UpstashRestServer {
  /** The base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The bearer token the server accepts. */
  readonly token: string;
  /** The TCP port the operating system assigned on 127.0.0.1. */
  readonly port: number;
  readonly stats: ServerStats;
  readonly faults: FaultSwitches;
  /** Whether syntax that needs Redis 7 or later gets a 400; takes effect on the next request. */
  rejectRedis7Syntax: boolean;
  /** Stops listening, drops open HTTP connections and closes the Redis connections. */
  close(): Promise<void>;
}

interface ServerState {
  readonly token: string;
  readonly maxBodyBytes: number;
  readonly connections: RedisConnections;
  readonly stats: StatsRecorder;
  readonly faults: FaultQueue;
  readonly log: ServerLog;
  rejectRedis7Syntax: boolean;
  responsesSent: number;
}

/**
 * Starts a server on 127.0.0.1, on a free port, that speaks the Upstash Redis REST protocol and
 * runs the commands on a real Redis. Rejects when Redis is unreachable.
 *
 * @example
 * ```ts
 * const server = await startUpstashRestServer({ rejectRedis7Syntax: true });
 * server.faults.inject({ kind: 'drop-after-run' });
 * ```
 */
export async function startUpstashRestServer(options: UpstashRestServerOptions = {}): Promise<UpstashRestServer> {
  const resolved = resolveOptions(options);
  const log = createServerLog(resolved.logger);
  const connections = new RedisConnections(resolved.redisUrl, log);
  await connectToRedis(connections, resolved.redisUrl);

  const state: ServerState = {
    token: resolved.token,
    maxBodyBytes: resolved.maxBodyBytes,
    connections,
    stats: new StatsRecorder(),
    faults: new FaultQueue(),
    log,
    rejectRedis7Syntax: resolved.rejectRedis7Syntax,
    responsesSent: 0,
  };
  const httpServer = createServer((request, response) => {
    void handleRequest(state, request, response).catch((error: unknown) => respondToUnexpectedError(state, response, error));
  });
  const port = await listenOnLoopback(httpServer).catch(async (error: unknown) => {
    await connections.close();
    throw error;
  });
  log.debug('listening', { port });

  return createHandle(state, httpServer, port);
}

async function connectToRedis(connections: RedisConnections, redisUrl: string): Promise<void> {
  try {
    await connections.connect();
  } catch (error) {
    await connections.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `startUpstashRestServer: could not connect to Redis at ${withoutPassword(redisUrl)} (${reason}); start Redis there or set REDIS_URL.`,
      { cause: error },
    );
  }
}

function listenOnLoopback(httpServer: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: '127.0.0.1', port: 0 }, () => {
      httpServer.off('error', reject);
      resolve((httpServer.address() as AddressInfo).port);
    });
  });
}

function createHandle(state: ServerState, httpServer: Server, port: number): UpstashRestServer {
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    });
    await state.connections.close();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    token: state.token,
    port,
    stats: state.stats,
    faults: state.faults,
    get rejectRedis7Syntax() {
      return state.rejectRedis7Syntax;
    },
    set rejectRedis7Syntax(value: boolean) {
      state.rejectRedis7Syntax = value;
    },
    close: () => (closing ??= close()),
  };
}

// Checks run in this order: token, method, path, body. Each failure gets an `{"error"}` body.
async function handleRequest(state: ServerState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const endpoint = endpointOf(request.url);
  state.stats.countRequest(endpoint);

  if (!isAuthorized(request, state.token)) {
    return respond(state, response, 401, { error: 'Unauthorized: send the header "authorization: Bearer <token>" with the server token' });
  }
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST');
    return respond(state, response, 405, { error: `Method ${request.method} is not allowed, use POST` });
  }
  if (endpoint === undefined) {
    return respond(state, response, 404, { error: `Not found: ${request.url}; the endpoints are /, /pipeline and /multi-exec` });
  }

  const body = await readBody(request, state.maxBodyBytes);
  if (!body.ok) return respond(state, response, body.status, { error: body.error }, true);

  const parsed = parseBody(endpoint, body.bytes);
  if (!parsed.ok) return respond(state, response, 400, { error: parsed.error });

  await runCommands(state, endpoint, parsed.commands, request, response);
}

function parseBody(endpoint: Endpoint, bytes: Buffer): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `ERR invalid request body: not JSON (${(error as Error).message})` };
  }
  return endpoint === 'command' ? parseCommandBody(json) : parseBatchBody(json);
}

async function runCommands(
  state: ServerState,
  endpoint: Endpoint,
  commands: RedisCommand[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const fault = takeFault(state, endpoint);
  if (fault?.kind === 'status-before-run') return respond(state, response, fault.status, { error: faultError(fault) });

  const context = { connections: state.connections, rejectRedis7Syntax: state.rejectRedis7Syntax, base64: wantsBase64(request) };
  const outcome = await execute(endpoint, commands, context);
  state.stats.countCommands(endpoint, outcome.commandsRun);
  if (outcome.status >= 500) {
    const { error } = outcome.body as { error: string };
    state.log.debug('responding with 500 because Redis did not reply', { endpoint, error });
  }

  // Closing the socket with nothing written is what a lost response looks like to the client.
  if (fault?.kind === 'drop-after-run') return void response.socket?.destroy();
  if (fault?.kind === 'status-after-run') return respond(state, response, fault.status, { error: faultError(fault) });
  respond(state, response, outcome.status, outcome.body);
}

function takeFault(state: ServerState, endpoint: Endpoint): FiredFault | undefined {
  const fault = state.faults.take(endpoint);
  if (fault === undefined) return undefined;

  state.stats.faultsFired += 1;
  state.log.debug('injecting a fault', { kind: fault.kind, endpoint });
  return fault;
}

function faultError(fault: FiredFault): string {
  const when = fault.kind === 'status-after-run' ? 'after running the commands' : 'without running the commands';
  return `ERR injected fault: status ${fault.status} ${when}`;
}

// The sync token is a counter, because with one Redis primary every read follows every write.
function respond(state: ServerState, response: ServerResponse, status: number, body: unknown, close = false): void {
  state.responsesSent += 1;
  sendJson(response, status, body, String(state.responsesSent), close);
}

function respondToUnexpectedError(state: ServerState, response: ServerResponse, error: unknown): void {
  state.log.error('request failed unexpectedly', { error: error instanceof Error ? error.message : String(error) });
  if (response.headersSent) {
    response.destroy();
    return;
  }
  respond(state, response, 500, { error: 'ERR internal error of the test server' }, true);
}

function withoutPassword(redisUrl: string): string {
  const url = new URL(redisUrl);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
