import type { RecordScript } from './scripts.js';

/**
 * A client that runs scripts by SHA1 digest or by source, with `@upstash/redis` signatures: an
 * Upstash `Redis` instance fits as it is.
 *
 * @example
 * ```ts
 * const runner: ScriptRunner = new Redis({ url, token }); // @upstash/redis
 * ```
 */
export interface ScriptRunner {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

const sha1Cache = new Map<string, Promise<string>>();

/**
 * Computes the SHA1 digest that EVALSHA takes, as lowercase hex, with Web Crypto (no Node.js
 * API), once per source.
 *
 * @example
 * ```ts
 * await scriptSha1('return 1'); // 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'
 * ```
 */
export function scriptSha1(lua: string): Promise<string> {
  let digest = sha1Cache.get(lua);
  if (digest === undefined) {
    digest = crypto.subtle.digest('SHA-1', new TextEncoder().encode(lua)).then(toHex);
    sha1Cache.set(lua, digest);
  }
  return digest;
}

/**
 * Tells whether `error` is the server's NOSCRIPT reply: EVALSHA named a script that the server
 * has not loaded (after a restart, a failover or SCRIPT FLUSH). Redis sends no error code other
 * than this text, so this is the one place that matches it.
 *
 * @example
 * ```ts
 * if (isNoScriptError(error)) return runner.eval(script.lua, keys, args);
 * ```
 */
export function isNoScriptError(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /\bNOSCRIPT\b/.test(message);
}

/**
 * Runs a record script for `request` on the record at `storageKey` and decodes the reply. It
 * sends EVALSHA, and EVAL with the source only when the server replies NOSCRIPT, so a warm
 * server costs one round trip.
 *
 * @example
 * ```ts
 * const result = await runScript(upstash, recordScripts.acquire, `idemkit:${request.key}`, request);
 * ```
 */
export async function runScript<TRequest extends { readonly key: string }, TResult>(
  runner: ScriptRunner,
  script: RecordScript<TRequest, TResult>,
  storageKey: string,
  request: TRequest,
): Promise<TResult> {
  const keys = [storageKey];
  const args = script.arguments(request);
  let reply: unknown;
  try {
    reply = await runner.evalsha(await scriptSha1(script.lua), keys, args);
  } catch (error) {
    if (!isNoScriptError(error)) throw error;
    reply = await runner.eval(script.lua, keys, args);
  }
  return script.decode(reply, request);
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
