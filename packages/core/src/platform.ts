import { IdempotencyConfigError } from './errors.js';

/** SHA-256 of a string's UTF-8 bytes, as base64url without padding. */
export type Sha256 = (text: string) => string | Promise<string>;

/** The part of `AsyncLocalStorage` that core uses to find the current claim inside a function. */
export interface AsyncContextStorage<T> {
  run<R>(value: T, callback: () => R): R;
  getStore(): T | undefined;
}

/** The parts that differ between runtimes. The Node.js entry point installs `node:crypto` and `node:async_hooks`. */
export interface Platform {
  readonly sha256: Sha256;
  readonly createAsyncContext: (<T>() => AsyncContextStorage<T>) | undefined;
}

let installed: Platform | undefined;

/** Sets the platform of this build; called once by the entry module. */
export function installPlatform(platform: Platform): void {
  installed = platform;
}

/** Returns the platform of this build. */
export function platform(): Platform {
  if (installed === undefined) {
    throw new IdempotencyConfigError('No platform is installed; import @idemkit/idempotency-core itself, not one of its files.');
  }
  return installed;
}

/** Hashes `text` with the SHA-256 of this build. */
export function sha256(text: string): string | Promise<string> {
  return platform().sha256(text);
}
