import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  ExtendRequest,
  GetRequest,
  IdempotencyRecord,
  ReleaseRequest,
  SaveStepRequest,
} from '@idemkit/idempotency-core';

import { ACQUIRE_LUA, COMPLETE_LUA, EXTEND_LUA, GET_LUA, RELEASE_LUA, SAVE_STEP_LUA } from './lua.js';
import { decodeFields, decodeFlag, decodeRecord, decodeSteps, ScriptReplyError } from './reply.js';

/**
 * One contract method as a Lua script: its source, how a request becomes the script's ARGV, and
 * how the reply becomes the method's result. KEYS is always the one storage key of the record.
 *
 * @example
 * ```ts
 * const script = recordScripts.complete;
 * const reply = await redis.eval(script.lua, [`idemkit:${request.key}`], script.arguments(request));
 * const stored = script.decode(reply, request);
 * ```
 */
export interface RecordScript<TRequest extends { readonly key: string }, TResult> {
  /** The contract method, for messages: `acquire`, `complete`, … */
  readonly operation: string;
  /** A name for the script as a client command (ioredis `defineCommand`), e.g. `idemkitAcquire`. */
  readonly commandName: string;
  readonly lua: string;
  /** The script's ARGV for `request`, all strings. */
  arguments(request: TRequest): string[];
  /**
   * The method's result from the script's reply, as the client returned it: integers as numbers,
   * strings, nested lists as arrays. Throws `ScriptReplyError` for any other shape.
   */
  decode(reply: unknown, request: TRequest): TResult;
}

/**
 * The scripts of the contract methods. `delete` has none, because a plain DEL is atomic.
 *
 * @example
 * ```ts
 * const script: RecordScripts['acquire'] = recordScripts.acquire;
 * ```
 */
export interface RecordScripts {
  readonly acquire: RecordScript<AcquireRequest, AcquireResult>;
  readonly complete: RecordScript<CompleteRequest, boolean>;
  readonly release: RecordScript<ReleaseRequest, boolean>;
  readonly extend: RecordScript<ExtendRequest, boolean>;
  readonly saveStep: RecordScript<SaveStepRequest, boolean>;
  readonly get: RecordScript<GetRequest, IdempotencyRecord | undefined>;
}

/**
 * The record scripts, shared by the Redis and Upstash adapters. Each runs as one atomic command
 * on the server and reads the server's clock (TIME), so the `now` of a request is not sent.
 *
 * @example
 * ```ts
 * for (const script of Object.values(recordScripts)) {
 *   client.defineCommand(script.commandName, { lua: script.lua, numberOfKeys: 1 });
 * }
 * ```
 */
export const recordScripts: RecordScripts = {
  acquire: {
    operation: 'acquire',
    commandName: 'idemkitAcquire',
    lua: ACQUIRE_LUA,
    arguments: (request) => [
      request.leaseToken,
      String(request.leaseMs),
      String(request.expiresAfterMs),
      ...(request.payloadHash === undefined ? [] : [request.payloadHash]),
    ],
    decode: decodeAcquire,
  },
  complete: {
    operation: 'complete',
    commandName: 'idemkitComplete',
    lua: COMPLETE_LUA,
    arguments: (request) => [request.leaseToken, request.response],
    decode: decodeFlag,
  },
  release: {
    operation: 'release',
    commandName: 'idemkitRelease',
    lua: RELEASE_LUA,
    arguments: (request) => [request.leaseToken],
    decode: decodeFlag,
  },
  extend: {
    operation: 'extend',
    commandName: 'idemkitExtend',
    lua: EXTEND_LUA,
    arguments: (request) => [request.leaseToken, String(request.leaseMs)],
    decode: decodeFlag,
  },
  saveStep: {
    operation: 'saveStep',
    commandName: 'idemkitSaveStep',
    lua: SAVE_STEP_LUA,
    arguments: (request) => [request.leaseToken, request.name, request.result],
    decode: decodeFlag,
  },
  get: {
    operation: 'get',
    commandName: 'idemkitGet',
    lua: GET_LUA,
    arguments: () => [],
    decode: (reply, request) => {
      const fields = decodeFields(reply);
      return fields.size === 0 ? undefined : decodeRecord(request.key, fields);
    },
  },
};

function decodeAcquire(reply: unknown, request: AcquireRequest): AcquireResult {
  if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) {
    throw new ScriptReplyError('Expected a list that starts with the integer 0 or 1 from the acquire script.');
  }
  const fields = decodeFields(reply, 1);
  if (reply[0] === 1) return { acquired: true, steps: decodeSteps(fields) };
  return { acquired: false, record: decodeRecord(request.key, fields) };
}
