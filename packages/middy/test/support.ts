import {
  deriveKey,
  type IdempotencyLogger,
  type IdempotencyOptions,
  type IdempotencyRecord,
  makeIdempotent,
  type PersistenceLayer,
} from '@idemkit/idempotency-core';
import middy7 from '@middy/core';
import middy6 from '@middy/core-v6';
import type { Context } from 'aws-lambda';

import { idempotency, type IdempotencyMiddlewareOptions } from '../src/index.js';

/** A clock the test moves by hand. */
export class TestClock {
  nowMs: number = Date.UTC(2026, 0, 1);
  readonly now: () => number = () => this.nowMs;

  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** Builds a fake Lambda context with a fixed remaining time. */
export function lambdaContext(remainingMs = 30_000, functionName = 'payments-fn'): Context {
  return { functionName, getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

/** A promise with its resolve and reject functions, for holding a handler mid-call. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** Waits until queued promise callbacks have run, so a call blocked on a deferred holds its claim. */
export async function settleMicrotasks(): Promise<void> {
  for (let round = 0; round < 20; round++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

/** A logger that keeps every line. */
export class RecordingLogger implements IdempotencyLogger {
  readonly lines: { level: string; message: string }[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
}

/** Reads the record that `options` would write for `event`. */
export async function recordFor<E>(
  persistence: PersistenceLayer,
  event: E,
  options: { namespace: string; key?: IdempotencyOptions<E>['key'] },
  nowMs: number = Date.now(),
): Promise<IdempotencyRecord | undefined> {
  const key = await deriveKey(event, { namespace: options.namespace, ...(options.key === undefined ? {} : { key: options.key }) });
  return persistence.get({ key, now: nowMs });
}

export type AnyHandler = (event: any, context: Context) => unknown;
export type Invoke = (event: unknown, context?: Context) => Promise<unknown>;

/** One way of making a handler idempotent: the plain wrapper or the middleware on a Middy major. */
export interface Entry {
  readonly name: string;
  wrap(handler: AnyHandler, options: IdempotencyMiddlewareOptions<any>): Invoke;
}

export const middyMajors = [
  { name: 'middy 7', middy: middy7 as unknown as typeof middy7 },
  { name: 'middy 6', middy: middy6 as unknown as typeof middy7 },
] as const;

export const entries: readonly Entry[] = [
  {
    name: 'makeIdempotent',
    wrap: (handler, options) => {
      const fn = makeIdempotent(handler, options as IdempotencyOptions<any>);
      return (event, context = lambdaContext()) => fn(event, context);
    },
  },
  ...middyMajors.map(
    ({ name, middy }): Entry => ({
      name,
      wrap: (handler, options) => {
        const wrapped = middy(handler).use(idempotency(options));
        return (event, context = lambdaContext()) => wrapped(event, context);
      },
    }),
  ),
];
