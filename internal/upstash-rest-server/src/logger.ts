import { createLog, type IdempotencyLogger, type Log } from '@idemkit/idempotency-core';

/**
 * The logger seam of the test server: the same as core's, so `console`, pino and the Powertools
 * Logger fit. Messages carry no command arguments, replies or tokens.
 *
 * @example
 * ```ts
 * const server = await startUpstashRestServer({ logger: console });
 * ```
 */
export type ServerLogger = IdempotencyLogger;

/** The server's log: core's log, with every message prefixed by the server's name. */
export type ServerLog = Omit<Log, 'warnOnce'>;

const PREFIX = 'upstash-rest-server:';

/** Builds the server's log: `undefined` writes warnings and errors to the console, `false` nothing. */
export function createServerLog(logger: ServerLogger | false | undefined): ServerLog {
  const log = createLog(logger);
  return {
    debug: (message, details) => log.debug(`${PREFIX} ${message}`, details),
    info: (message, details) => log.info(`${PREFIX} ${message}`, details),
    warn: (message, details) => log.warn(`${PREFIX} ${message}`, details),
    error: (message, details) => log.error(`${PREFIX} ${message}`, details),
  };
}
