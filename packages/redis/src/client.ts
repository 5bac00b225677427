import { createLog, describeValue, IdempotencyConfigError, type IdempotencyLogger } from '@idemkit/idempotency-core';
import { recordScripts } from '@idemkit/redis-scripts';
import type { Redis } from 'ioredis';

/**
 * The parts of an ioredis `Redis` or `Cluster` instance that the layer uses. Scripts are
 * registered with `defineCommand`: ioredis 6.1 sends a script's source with EVAL the first time
 * on each connection and EVALSHA after that, and sends the source again when the server replies
 * NOSCRIPT.
 *
 * @example
 * ```ts
 * const client: RedisClientLike = new Cluster([{ host: '10.0.0.1', port: 6379 }]);
 * ```
 */
export interface RedisClientLike {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  del(...keys: string[]): Promise<number>;
}

/** A command that `defineCommand` added, called with the record key and then the script's ARGV. */
export type ScriptCommand = (key: string, ...args: string[]) => Promise<unknown>;

/**
 * Registers every record script on `client` and returns the commands by script command name.
 * Throws `IdempotencyConfigError` when `client` is not an ioredis client.
 */
export function defineScriptCommands(client: RedisClientLike): ReadonlyMap<string, ScriptCommand> {
  if (typeof client !== 'object' || client === null || typeof client.defineCommand !== 'function' || typeof client.del !== 'function') {
    const hint = typeof client === 'string' ? ' For a URL, use RedisPersistenceLayer.fromUrl(url).' : '';
    throw new IdempotencyConfigError(`RedisPersistenceLayer: client must be an ioredis Redis or Cluster instance, got ${describeValue(client)}.${hint}`);
  }

  const commands = new Map<string, ScriptCommand>();
  for (const script of Object.values(recordScripts)) {
    client.defineCommand(script.commandName, { lua: script.lua, numberOfKeys: 1 });
    const command = (client as unknown as Record<string, ScriptCommand | undefined>)[script.commandName];
    if (typeof command !== 'function') {
      throw new IdempotencyConfigError(`RedisPersistenceLayer: client.defineCommand did not add the command ${script.commandName}; pass an ioredis Redis or Cluster instance.`);
    }
    commands.set(script.commandName, command.bind(client));
  }
  return commands;
}

/**
 * Logs the connection errors of a client that `fromUrl` created: one warning when the connection
 * fails, and the next only after it was ready again, so a server that stays down does not fill
 * the log. Without a listener, ioredis prints every reconnection failure itself.
 */
export function logConnectionErrors(client: Redis, logger: IdempotencyLogger | false | undefined): void {
  const log = createLog(logger);
  let reported = false;
  client.on('ready', () => {
    reported = false;
  });
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    log.warn(`RedisPersistenceLayer: the connection to Redis failed; calls fail until it is back (ioredis keeps reconnecting): ${error.message}`);
  });
}
