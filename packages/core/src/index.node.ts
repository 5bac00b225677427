/**
 * @idemkit/idempotency-core for Node.js: `node:crypto` hashes synchronously, and
 * `node:async_hooks` tracks the current claim for `step()`.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { sha256Node } from './hash/node.js';
import { installPlatform } from './platform.js';

installPlatform({
  sha256: sha256Node,
  createAsyncContext: <T>() => new AsyncLocalStorage<T>(),
});

export * from './exports.js';
