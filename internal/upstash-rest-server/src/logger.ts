/**
 * The logger seam of the test server. Any object with these methods fits: `console`, pino, the
 * Powertools Logger. Messages carry no command arguments, replies or tokens.
 *
 * @example
 * ```ts
 * const server = await startUpstashRestServer({ logger: console });
 * ```
 */
export interface ServerLogger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** A logger with every level present, which prefixes each message and never throws. */
export interface ServerLog {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

type Level = keyof ServerLog;

const PREFIX = '[idemkit] upstash-rest-server:';

// Only warnings and errors by default, so a broken Redis connection is seen and nothing else.
const consoleSink: ServerLogger = {
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
};

/** Builds the server's log: `undefined` writes warnings and errors to the console, `false` nothing. */
export function createServerLog(logger: ServerLogger | false | undefined): ServerLog {
  let sink: ServerLogger | undefined = consoleSink;
  if (logger === false) sink = undefined;
  else if (logger !== undefined) sink = logger;

  const emit = (level: Level, message: string, details?: Record<string, unknown>): void => {
    const write = sink?.[level];
    if (write === undefined) return;
    try {
      if (details === undefined) write.call(sink, `${PREFIX} ${message}`);
      else write.call(sink, `${PREFIX} ${message}`, details);
    } catch {
      // A failing logger must not fail the request it reports on.
    }
  };

  return {
    debug: (message, details) => emit('debug', message, details),
    info: (message, details) => emit('info', message, details),
    warn: (message, details) => emit('warn', message, details),
    error: (message, details) => emit('error', message, details),
  };
}
