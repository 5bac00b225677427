import type { RedisCommand } from './commands.ts';

// Commands added after Redis 6.2, with the version that added them (from the Redis command docs).
const COMMANDS_AFTER_6_2 = new Map<string, string>([
  ['bzmpop', '7.0'],
  ['eval_ro', '7.0'],
  ['evalsha_ro', '7.0'],
  ['expiretime', '7.0'],
  ['fcall', '7.0'],
  ['fcall_ro', '7.0'],
  ['function', '7.0'],
  ['blmpop', '7.0'],
  ['lcs', '7.0'],
  ['lmpop', '7.0'],
  ['pexpiretime', '7.0'],
  ['sintercard', '7.0'],
  ['sort_ro', '7.0'],
  ['spublish', '7.0'],
  ['ssubscribe', '7.0'],
  ['sunsubscribe', '7.0'],
  ['zintercard', '7.0'],
  ['zmpop', '7.0'],
  ['waitaof', '7.2'],
  ['hexpire', '7.4'],
  ['hexpireat', '7.4'],
  ['hexpiretime', '7.4'],
  ['hpersist', '7.4'],
  ['hpexpire', '7.4'],
  ['hpexpireat', '7.4'],
  ['hpexpiretime', '7.4'],
  ['hpttl', '7.4'],
  ['httl', '7.4'],
  ['hgetdel', '8.0'],
  ['hgetex', '8.0'],
  ['hsetex', '8.0'],
]);

// Redis 7.0 added the NX, XX, GT and LT options to these, so 6.2 takes exactly two arguments.
const EXPIRE_COMMANDS = new Set(['expire', 'pexpire', 'expireat', 'pexpireat']);

// SET options that take a value, which must be skipped when looking for NX and GET.
const SET_OPTIONS_WITH_VALUE = new Set(['EX', 'PX', 'EXAT', 'PXAT']);

/**
 * Returns the error text when `command` needs Redis 7 or later, or `undefined` when Redis 6.2
 * takes it. Covers the commands added since 6.2, `SET` with both `NX` and `GET`, and the
 * `EXPIRE` options; other new options of old commands pass.
 */
export function rejectRedis7Syntax(command: RedisCommand): string | undefined {
  const name = command.name.toLowerCase();
  const upperName = command.name.toUpperCase();

  const addedIn = COMMANDS_AFTER_6_2.get(name);
  if (addedIn !== undefined) {
    return redis7Error(`${upperName} needs Redis ${addedIn}`);
  }
  if (name === 'set' && hasNxAndGet(command.args)) {
    return redis7Error('SET with both NX and GET needs Redis 7.0');
  }
  if (EXPIRE_COMMANDS.has(name) && command.args.length > 2) {
    return redis7Error(`${upperName} with the NX, XX, GT or LT option needs Redis 7.0`);
  }
  return undefined;
}

function redis7Error(reason: string): string {
  return `ERR ${reason}, but Upstash documents compatibility up to Redis 6.2 (rejected because rejectRedis7Syntax is on)`;
}

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]
function hasNxAndGet(args: readonly Buffer[]): boolean {
  let nx = false;
  let get = false;
  for (let index = 2; index < args.length; index += 1) {
    const option = args[index]?.toString('utf8').toUpperCase();
    if (option === 'NX') nx = true;
    else if (option === 'GET') get = true;
    else if (option !== undefined && SET_OPTIONS_WITH_VALUE.has(option)) index += 1;
  }
  return nx && get;
}
