/**
 * The logger seam. Any object with these methods fits: `console`, pino, the Powertools Logger.
 * Messages never contain payloads, responses or secrets; details carry keys and codes only.
 *
 * @example
 * ```ts
 * makeIdempotent(fn, { persistence, logger: pino() });
 * ```
 */
export interface IdempotencyLogger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** A logger as core uses it: every level present, prefixed, never throwing. */
export interface Log {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
  /** Logs a warning the first time `topic` is seen by this log, and never again. */
  warnOnce(topic: string, message: string, details?: Record<string, unknown>): void;
}

/**
 * Builds the log that core writes to, also for adapters that log the same way. The default
 * writes warnings and errors to the console, prefixed `[idemkit]`; `false` writes nothing.
 *
 * @example
 * ```ts
 * const log = createLog(options.logger);
 * log.warnOnce('connection', 'Redis connection lost; calls fail until it is back.');
 * ```
 */
export function createLog(logger: IdempotencyLogger | false | undefined): Log {
  let sink: IdempotencyLogger | undefined = logger === false ? undefined : logger;
  if (logger === undefined) sink = consoleSink;
  const seen = new Set<string>();

  const emit = (level: 'debug' | 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): void => {
    const write = sink?.[level];
    if (write === undefined) return;
    try {
      if (details === undefined) write.call(sink, `[idemkit] ${message}`);
      else write.call(sink, `[idemkit] ${message}`, details);
    } catch {
      // A failing logger must never fail the call it reports on.
    }
  };

  return {
    debug: (message, details) => emit('debug', message, details),
    info: (message, details) => emit('info', message, details),
    warn: (message, details) => emit('warn', message, details),
    error: (message, details) => emit('error', message, details),
    warnOnce(topic, message, details) {
      if (seen.has(topic)) return;
      seen.add(topic);
      emit('warn', message, details);
    },
  };
}

// Only warnings and errors by default, so a misconfiguration is seen and nothing else is written.
const consoleSink: IdempotencyLogger = {
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
};
