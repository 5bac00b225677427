import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  DeleteRequest,
  ExtendRequest,
  GetRequest,
  IdempotencyRecord,
  PersistenceLayer,
  ReleaseRequest,
  SaveStepRequest,
} from '@idemkit/idempotency-core';
import type { Redis } from 'ioredis';

import { recordScripts, runScript, type ScriptRunner } from '../src/index.js';

/** EVALSHA and EVAL of an ioredis client, with the `@upstash/redis` signatures. */
export function ioredisRunner(client: Redis): ScriptRunner {
  return {
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
}

/** A persistence layer built only from the package's public API, the way the Upstash adapter is. */
export class ScriptLayer implements PersistenceLayer {
  readonly traits = { clock: 'store' } as const;
  readonly #client: Redis;
  readonly #runner: ScriptRunner;
  readonly #prefix: string;

  constructor(client: Redis, prefix: string) {
    this.#client = client;
    this.#runner = ioredisRunner(client);
    this.#prefix = prefix;
  }

  acquire(request: AcquireRequest): Promise<AcquireResult> {
    return runScript(this.#runner, recordScripts.acquire, this.#prefix + request.key, request);
  }

  complete(request: CompleteRequest): Promise<boolean> {
    return runScript(this.#runner, recordScripts.complete, this.#prefix + request.key, request);
  }

  release(request: ReleaseRequest): Promise<boolean> {
    return runScript(this.#runner, recordScripts.release, this.#prefix + request.key, request);
  }

  extend(request: ExtendRequest): Promise<boolean> {
    return runScript(this.#runner, recordScripts.extend, this.#prefix + request.key, request);
  }

  saveStep(request: SaveStepRequest): Promise<boolean> {
    return runScript(this.#runner, recordScripts.saveStep, this.#prefix + request.key, request);
  }

  get(request: GetRequest): Promise<IdempotencyRecord | undefined> {
    return runScript(this.#runner, recordScripts.get, this.#prefix + request.key, request);
  }

  async delete(request: DeleteRequest): Promise<void> {
    await this.#client.del(this.#prefix + request.key);
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}
