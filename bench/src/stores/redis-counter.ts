import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

import { Redis } from 'ioredis';

import type { RoundTripCount, RoundTripCounter } from './store.ts';

/**
 * Counts commands at a private redis-server. INFO commandstats also counts the commands that a
 * Lua script runs, so a script call would show as several round trips. MONITOR separates them,
 * because it shows a script's commands with the source `lua`. `read()` returns the commands
 * clients sent as `requests` (round trips, since neither library pipelines) and the commandstats
 * delta as `serverCommands`. The counter's own INFO and ECHO commands are not counted.
 *
 * The MONITOR connection is open only from `reset()` to `read()`, because the server copies every
 * command to a monitor, which would slow the timed loops, scripts the most.
 */
export class RedisCommandCounter implements RoundTripCounter {
  readonly method = 'MONITOR at a private redis-server, without the commands that Lua scripts run (INFO commandstats also reported)';
  readonly #admin: Redis;
  readonly #port: number;
  #monitor: Socket | undefined;
  #adminSource: string | undefined;
  #sent = 0;
  #counting = false;
  #commandstatsAtReset = 0;
  readonly #waiting = new Map<string, (source: string) => void>();

  constructor(port: number) {
    this.#admin = new Redis(port, '127.0.0.1');
    this.#port = port;
  }

  async reset(): Promise<void> {
    this.#counting = false;
    this.#monitor?.destroy();
    this.#monitor = await openMonitor(this.#port, (command, argument, source) => this.#observe(command, argument, source));
    this.#adminSource = await this.#mark();
    this.#commandstatsAtReset = await this.#commandstatsTotal();
    this.#sent = 0;
    this.#counting = true;
  }

  async read(): Promise<RoundTripCount> {
    if (this.#monitor === undefined) throw new Error('RedisCommandCounter: read() was called without reset(); call reset() before the counted call.');
    const serverCommands = (await this.#commandstatsTotal()) - this.#commandstatsAtReset;
    await this.#mark();
    this.#counting = false;
    this.#monitor?.destroy();
    this.#monitor = undefined;
    return { requests: this.#sent, serverCommands };
  }

  async close(): Promise<void> {
    this.#monitor?.destroy();
    this.#admin.disconnect();
  }

  #observe(command: string, argument: string, source: string): void {
    const markerSeen = command === 'echo' ? this.#waiting.get(argument) : undefined;
    if (markerSeen !== undefined) {
      markerSeen(source);
      return;
    }
    if (!this.#counting || source === 'lua' || source === this.#adminSource) return;
    this.#sent += 1;
  }

  /** Sends a marker and resolves with the admin connection's source once MONITOR has shown it, so every command before it was seen. */
  async #mark(): Promise<string> {
    const marker = `bench-marker-${randomUUID()}`;
    const seen = new Promise<string>((resolve) => this.#waiting.set(marker, resolve));
    await this.#admin.echo(marker);
    const source = await seen;
    this.#waiting.delete(marker);
    return source;
  }

  /** The sum of `calls` over INFO commandstats, without INFO and ECHO, which only this counter sends. */
  async #commandstatsTotal(): Promise<number> {
    const info = await this.#admin.info('commandstats');
    let total = 0;
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (match[1] === 'info' || match[1] === 'echo') continue;
      total += Number(match[2]);
    }
    return total;
  }
}

/**
 * Opens a plain connection in MONITOR mode and calls `observe` with each command's name (lower
 * case), its first argument and its source (`lua`, or the client's address). A raw socket, because
 * the ioredis 6.1 monitor mode failed here with "Command queue state error".
 */
async function openMonitor(port: number, observe: (command: string, argument: string, source: string) => void): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.setEncoding('utf8');

  let buffered = '';
  let monitoring: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    monitoring = resolve;
  });
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\r\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '+OK') monitoring();
      // +1796415850.122147 [0 127.0.0.1:50432] "evalsha" "5e0b…" "1" "idemkit:…"
      const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]*)"(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
      if (match !== null) observe((match[2] ?? '').toLowerCase(), match[3] ?? '', match[1] ?? '');
    }
  });
  socket.write('MONITOR\r\n');
  await started;
  return socket;
}
