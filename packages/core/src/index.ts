/**
 * @idemkit/idempotency-core for every runtime but Node.js: Web Crypto for hashing, and the
 * global `AsyncLocalStorage` for `step()` where the runtime has one.
 *
 * @module
 */
import { sha256Web } from './hash/web.js';
import { type AsyncContextStorage, installPlatform } from './platform.js';

type AsyncLocalStorageConstructor = new <T>() => AsyncContextStorage<T>;
const GlobalAsyncLocalStorage = (globalThis as { AsyncLocalStorage?: AsyncLocalStorageConstructor }).AsyncLocalStorage;

installPlatform({
  sha256: sha256Web,
  createAsyncContext: GlobalAsyncLocalStorage === undefined ? undefined : <T>() => new GlobalAsyncLocalStorage<T>(),
});

export * from './exports.js';
