import { Command, Redis, type RedisOptions } from 'ioredis';

import type { RedisCommand } from './commands.ts';
import type { ServerLog } from './logger.ts';
import type { RedisReply } from './replies.ts';

const CONNECTION_OPTIONS = {
  // Upstash replies have the RESP2 shapes: flat arrays for HGETALL, doubles as strings.
  protocol: 2,
  // Integers come back as their text, so they reach JSON with every digit.
  stringNumbers: true,
  lazyConnect: true,
  // Fail at once while Redis is away, so the request gets a 500 instead of waiting.
  enableOfflineQueue: false,
  // A command in flight when the connection breaks fails instead of running twice.
  autoResendUnfulfilledCommands: false,
  maintNotifications: 'disabled',
} satisfies RedisOptions;

// Dedicated connections kept open for the next transaction; more are closed after use.
const MAX_IDLE_DEDICATED = 4;

// Keeps replies as Redis sent them: ioredis would turn HGETALL into an object, for one.
class RawReplyCommand extends Command {
  override transformReply(result: Buffer | Buffer[]): Buffer | Buffer[] {
    return result;
  }
}

/** Sends one command; the promise rejects with a `ReplyError` for an error reply. */
export function sendCommand(connection: Redis, command: RedisCommand): Promise<RedisReply> {
  const raw = new RawReplyCommand(command.name, [...command.args]);
  void connection.sendCommand(raw);
  return raw.promise as Promise<RedisReply>;
}

/**
 * The server's Redis connections: one shared by plain commands and pipelines, and dedicated
 * ones, each lent to one request at a time, for transactions and blocking commands.
 */
export class RedisConnections {
  readonly shared: Redis;
  private readonly redisUrl: string;
  private readonly log: ServerLog;
  private readonly idle: Redis[] = [];
  private readonly lent = new Set<Redis>();

  constructor(redisUrl: string, log: ServerLog) {
    this.redisUrl = redisUrl;
    this.log = log;
    this.shared = this.create('shared');
  }

  /** Connects the shared connection; rejects when Redis is unreachable. */
  async connect(): Promise<void> {
    await this.shared.connect();
  }

  /** Lends a connection that no other request uses until it is given back with {@link release}. */
  async lease(): Promise<Redis> {
    let connection = this.idle.pop();
    // An idle connection may have broken since its last use; a broken one never reconnects.
    while (connection !== undefined && connection.status !== 'ready') {
      connection.disconnect();
      connection = this.idle.pop();
    }
    connection ??= await this.connectDedicated();
    this.lent.add(connection);
    return connection;
  }

  /** Takes a lent connection back; one that saw a failure other than an error reply is closed. */
  release(connection: Redis, healthy: boolean): void {
    this.lent.delete(connection);
    if (healthy && connection.status === 'ready' && this.idle.length < MAX_IDLE_DEDICATED) {
      this.idle.push(connection);
      return;
    }
    connection.disconnect();
  }

  /** Closes every connection, lent ones included. */
  async close(): Promise<void> {
    const all = [this.shared, ...this.idle, ...this.lent];
    this.idle.length = 0;
    this.lent.clear();
    await Promise.all(all.map((connection) => closeConnection(connection)));
  }

  private async connectDedicated(): Promise<Redis> {
    const connection = this.create('dedicated');
    try {
      await connection.connect();
    } catch (error) {
      connection.disconnect();
      throw error;
    }
    return connection;
  }

  private create(role: 'shared' | 'dedicated'): Redis {
    // A broken dedicated connection ends instead of reconnecting; the shared one reconnects.
    const connection =
      role === 'dedicated'
        ? new Redis(this.redisUrl, { ...CONNECTION_OPTIONS, retryStrategy: () => null })
        : new Redis(this.redisUrl, CONNECTION_OPTIONS);
    watchConnection(connection, role, this.log);
    return connection;
  }
}

// Logs the first error or reconnect of an outage as a warning and the rest at debug level, so a
// Redis that stays away does not flood the log. The count is logged once the connection is ready.
function watchConnection(connection: Redis, role: string, log: ServerLog): void {
  let eventsSinceReady = 0;
  const report = (message: string, details: Record<string, unknown>): void => {
    eventsSinceReady += 1;
    if (eventsSinceReady === 1) log.warn(message, { connection: role, ...details });
    else log.debug(message, { connection: role, ...details });
  };

  connection.on('error', (error: Error) => report('Redis connection error', { error: error.message }));
  connection.on('reconnecting', (delayMs: number) => report('Redis connection lost, reconnecting', { delayMs }));
  connection.on('ready', () => {
    if (eventsSinceReady > 0) log.info('Redis connection ready again', { connection: role, events: eventsSinceReady });
    eventsSinceReady = 0;
  });
}

async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
