import type { IdempotencyLogger, LambdaContextLike, PersistenceLayer } from '@idemkit/idempotency-core';

/** A clock the test moves by hand. */
export class TestClock {
  nowMs: number;

  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** Returns a fake Lambda context. */
export function lambdaContext(remainingMs: number, functionName = 'payments-fn'): LambdaContextLike {
  return { functionName, getRemainingTimeInMillis: () => remainingMs };
}

/** A logger that keeps every line it is given. */
export class RecordingLogger implements IdempotencyLogger {
  readonly lines: { level: string; message: string; details: unknown }[] = [];

  debug(message: string, details?: unknown): void {
    this.lines.push({ level: 'debug', message, details });
  }

  info(message: string, details?: unknown): void {
    this.lines.push({ level: 'info', message, details });
  }

  warn(message: string, details?: unknown): void {
    this.lines.push({ level: 'warn', message, details });
  }

  error(message: string, details?: unknown): void {
    this.lines.push({ level: 'error', message, details });
  }

  text(): string {
    return this.lines.map((line) => `${line.level} ${line.message} ${JSON.stringify(line.details) ?? ''}`).join('\n');
  }
}

/** Counts calls of every contract method of a layer, passing them through. */
export function countCalls<T extends PersistenceLayer>(layer: T): { layer: T; calls: Record<string, number>; total(): number } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(layer, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(property)] = (calls[String(property)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { layer: proxy, calls, total: () => Object.values(calls).reduce((sum, count) => sum + count, 0) };
}

/** A promise with its resolve function, for holding a function mid-call. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
