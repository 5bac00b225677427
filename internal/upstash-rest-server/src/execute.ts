import { Command, type Redis } from 'ioredis';

import { type RedisCommand, rejectConnectionStateCommand } from './commands.ts';
import { type RedisConnections, sendCommand } from './redis-connections.ts';
import { rejectRedis7Syntax } from './redis7.ts';
import { isRedisErrorReply, type RedisReply, type ResponseEntry, toEntry, toResult } from './replies.ts';

/** The three endpoints: `POST /`, `POST /pipeline` and `POST /multi-exec`. */
export type Endpoint = 'command' | 'pipeline' | 'multiExec';

/** The connections and settings a request runs with. */
export interface ExecutionContext {
  readonly connections: RedisConnections;
  readonly rejectRedis7Syntax: boolean;
  /** Whether the request asked for `Upstash-Encoding: base64`. */
  readonly base64: boolean;
}

/** The HTTP response to a request, and how many of its commands Redis ran. */
export interface Outcome {
  readonly status: number;
  readonly body: unknown;
  readonly commandsRun: number;
}

type Settled =
  | { readonly kind: 'reply'; readonly reply: RedisReply }
  | { readonly kind: 'error-reply'; readonly message: string }
  | { readonly kind: 'failure'; readonly error: unknown };

type Answered = Exclude<Settled, { readonly kind: 'failure' }>;

type Borrowed = { readonly connection: Redis; release(healthy: boolean): void } | { readonly failure: unknown };

const MULTI: RedisCommand = { name: 'multi', args: [] };
const EXEC: RedisCommand = { name: 'exec', args: [] };

/** Runs the commands of one request as one command, a pipeline or a transaction, by endpoint. */
export function execute(endpoint: Endpoint, commands: readonly RedisCommand[], context: ExecutionContext): Promise<Outcome> {
  if (endpoint === 'multiExec') return runTransaction(commands, context);
  if (endpoint === 'pipeline') return runPipeline(commands, context);
  return runSingle(commands[0] as RedisCommand, context);
}

async function runSingle(command: RedisCommand, context: ExecutionContext): Promise<Outcome> {
  const outcome = await runPipeline([command], context);
  if (outcome.status !== 200) return outcome;

  // The response to a single command is its entry alone, with status 400 for an error.
  const [entry] = outcome.body as ResponseEntry[];
  return { status: entry !== undefined && 'error' in entry ? 400 : 200, body: entry, commandsRun: outcome.commandsRun };
}

// Commands go out in order without waiting for each other, so other requests may interleave.
async function runPipeline(commands: readonly RedisCommand[], context: ExecutionContext): Promise<Outcome> {
  const rejections = commands.map((command) => checkCommand(command, context));
  const borrowed = await borrowConnection(context.connections, commands.some(isBlocking));
  if ('failure' in borrowed) return failureOutcome(borrowed.failure, 0);

  const pending = commands.map((command, index) =>
    rejections[index] === undefined ? settle(sendCommand(borrowed.connection, command)) : undefined,
  );
  const settled = await Promise.all(pending);
  const failure = settled.find((item) => item?.kind === 'failure');
  borrowed.release(failure === undefined);

  const commandsRun = settled.filter((item) => item !== undefined && item.kind !== 'failure').length;
  if (failure !== undefined) return failureOutcome(failure.error, commandsRun);

  // Past the failure check every command that was sent has a reply or an error reply.
  const answered = settled as readonly (Answered | undefined)[];
  const entries = answered.map((item, index): ResponseEntry => {
    if (item === undefined) return { error: rejections[index] as string };
    return item.kind === 'reply' ? { result: toResult(item.reply, context.base64) } : { error: item.message };
  });
  return { status: 200, body: entries, commandsRun };
}

// MULTI, the commands and EXEC go out together on a connection no other request uses.
async function runTransaction(commands: readonly RedisCommand[], context: ExecutionContext): Promise<Outcome> {
  const rejection = commands.map((command) => checkCommand(command, context)).find((text) => text !== undefined);
  if (rejection !== undefined) return { status: 400, body: { error: rejection }, commandsRun: 0 };

  const borrowed = await borrowConnection(context.connections, true);
  if ('failure' in borrowed) return failureOutcome(borrowed.failure, 0);

  const sent = [MULTI, ...commands, EXEC].map((command) => settle(sendCommand(borrowed.connection, command)));
  const settled = await Promise.all(sent);
  const failure = settled.find((item) => item.kind === 'failure');
  borrowed.release(failure === undefined);
  if (failure !== undefined) return failureOutcome(failure.error, 0);

  return transactionOutcome(settled.slice(1, -1), settled.at(-1) as Settled, context.base64);
}

function transactionOutcome(queued: readonly Settled[], exec: Settled, base64: boolean): Outcome {
  // Redis discards the whole transaction when a command fails to queue. The queueing error
  // gives the reason, where EXEC returns only EXECABORT.
  const queueError = queued.find((item) => item.kind === 'error-reply');
  if (queueError?.kind === 'error-reply') return { status: 400, body: { error: queueError.message }, commandsRun: 0 };
  if (exec.kind === 'error-reply') return { status: 400, body: { error: exec.message }, commandsRun: 0 };

  if (exec.kind !== 'reply' || !Array.isArray(exec.reply)) {
    return { status: 400, body: { error: 'ERR transaction aborted, EXEC returned no replies' }, commandsRun: 0 };
  }
  const replies = exec.reply as readonly RedisReply[];
  return { status: 200, body: replies.map((reply) => toEntry(reply, base64)), commandsRun: replies.length };
}

function checkCommand(command: RedisCommand, context: ExecutionContext): string | undefined {
  const rejection = rejectConnectionStateCommand(command);
  if (rejection !== undefined || !context.rejectRedis7Syntax) return rejection;
  return rejectRedis7Syntax(command);
}

// A blocking command would hold up every request on the shared connection.
function isBlocking(command: RedisCommand): boolean {
  return Command.checkFlag('BLOCKING_COMMANDS', command.name.toLowerCase());
}

async function borrowConnection(connections: RedisConnections, dedicated: boolean): Promise<Borrowed> {
  if (!dedicated) return { connection: connections.shared, release: () => {} };

  return connections.lease().then(
    (connection) => ({ connection, release: (healthy: boolean) => connections.release(connection, healthy) }),
    (failure: unknown) => ({ failure }),
  );
}

function settle(reply: Promise<RedisReply>): Promise<Settled> {
  return reply.then(
    (value): Settled => ({ kind: 'reply', reply: value }),
    (error: unknown): Settled => (isRedisErrorReply(error) ? { kind: 'error-reply', message: error.message } : { kind: 'failure', error }),
  );
}

function failureOutcome(error: unknown, commandsRun: number): Outcome {
  const reason = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: `ERR no reply from Redis: ${reason}` }, commandsRun };
}
