import {
  IdempotencyError,
  IdempotencyPersistenceError,
} from './errors.js';
import { LocalCache } from './local-cache.js';
import type { ResolvedOptions } from './options.js';
import type { IdempotencyOutcome } from './outcome.js';

/** State that the engine and its claims share: the options, the local cache and the outcome hook. */
export class Runtime<TInput = unknown> {
  readonly options: ResolvedOptions<TInput>;
  readonly cache: LocalCache | undefined;

  constructor(options: ResolvedOptions<TInput>) {
    this.options = options;
    this.cache = options.localCache === false ? undefined : new LocalCache(options.localCache.maxItems);
  }

  /** Reports an outcome to the hook; a hook that throws is logged and otherwise ignored. */
  emit(outcome: IdempotencyOutcome): void {
    const hook = this.options.onOutcome;
    if (hook === undefined) return;
    try {
      hook(outcome);
    } catch (error) {
      this.options.log.error('The onOutcome hook threw; the call goes on', { outcome: outcome.type, key: outcome.key, error: errorName(error) });
    }
  }

  /** Wraps a store failure in `IdempotencyPersistenceError`, keeping idemkit errors as they are. */
  persistenceError(operation: string, key: string, error: unknown): IdempotencyError {
    if (IdempotencyError.is(error)) return error;
    return new IdempotencyPersistenceError(
      `The persistence layer failed to ${operation} the record ${key}: ${(error as Error)?.message ?? String(error)}`,
      { cause: error, key },
    );
  }
}

/** The name of an error, for logs that must not carry messages with payload data. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
