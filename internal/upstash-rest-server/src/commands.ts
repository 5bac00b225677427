/** A command as it goes to Redis: the name as the client sent it, the arguments as bytes. */
export interface RedisCommand {
  readonly name: string;
  readonly args: readonly Buffer[];
}

/** The commands of a request body, or why the body is invalid (the text of a 400 error). */
export type ParsedBody = { readonly ok: true; readonly commands: RedisCommand[] } | { readonly ok: false; readonly error: string };

/** Parses the body of `POST /`: one command array, such as `["set", "k", "v", "px", 5000]`. */
export function parseCommandBody(body: unknown): ParsedBody {
  const parsed = parseCommand(body, 'the request body');
  return typeof parsed === 'string' ? { ok: false, error: parsed } : { ok: true, commands: [parsed] };
}

/** Parses the body of `POST /pipeline` and `POST /multi-exec`: an array of command arrays. */
export function parseBatchBody(body: unknown): ParsedBody {
  if (!Array.isArray(body) || body.length === 0) {
    return { ok: false, error: `ERR invalid request body: expected a non-empty array of command arrays, got ${describe(body)}` };
  }

  const commands: RedisCommand[] = [];
  for (const [index, item] of body.entries()) {
    const parsed = parseCommand(item, `command ${index + 1}`);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    commands.push(parsed);
  }
  return { ok: true, commands };
}

// Returns the command, or the error text when `value` is not a command array.
function parseCommand(value: unknown, where: string): RedisCommand | string {
  if (!Array.isArray(value) || value.length === 0) {
    return `ERR invalid request body: ${where} must be a non-empty array such as ["get", "key"], got ${describe(value)}`;
  }

  const words: string[] = [];
  for (const [index, item] of value.entries()) {
    // The client sends numbers and booleans as JSON primitives; Redis wants their text.
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      words.push(String(item));
      continue;
    }
    return `ERR invalid request body: argument ${index} of ${where} must be a string, number or boolean, got ${describe(item)}`;
  }

  const [name = '', ...args] = words;
  return { name, args: args.map((arg) => Buffer.from(arg, 'utf8')) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

// Commands that would change the state of a connection that other requests share.
const CONNECTION_STATE_COMMANDS = new Set([
  'auth',
  'client',
  'discard',
  'exec',
  'hello',
  'monitor',
  'multi',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
  'select',
  'ssubscribe',
  'subscribe',
  'sunsubscribe',
  'unsubscribe',
  'unwatch',
  'watch',
]);

/**
 * Returns the error text for a command the server never sends to Redis, or `undefined` when the
 * command may run. Upstash runs transactions through `/multi-exec` and subscriptions through its
 * streaming endpoints, so these commands have no use in a command body.
 */
export function rejectConnectionStateCommand(command: RedisCommand): string | undefined {
  const name = command.name.toLowerCase();
  if (!CONNECTION_STATE_COMMANDS.has(name)) return undefined;
  return `ERR '${command.name}' is not supported by this test server, because it would change the state of a shared Redis connection`;
}
