import { once } from 'node:events';
import { type Server, type Socket, connect, createServer } from 'node:net';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Port of the server behind the proxy, on 127.0.0.1. */
  readonly targetPort: number;
}

/** A running fault-injecting proxy. Every fault lasts until {@link TcpProxy.heal}. */
export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1; point the client here. */
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Destroys every open connection, and every new one at once: the store is gone. */
  cut(): void;
  /** Keeps connections open but forwards nothing in either direction: the store hangs. */
  stall(): void;
  /** Forwards every chunk after `ms` of delay, in both directions. */
  delay(ms: number): void;
  /**
   * Lets the next client request reach the server, then destroys the connection before the
   * reply comes back: the command runs, but the client never learns its outcome. One-shot.
   */
  loseNextReply(): void;
  /** Ends every fault; new connections are forwarded normally. */
  heal(): void;
  close(): Promise<void>;
}

type Mode = { kind: 'open' } | { kind: 'cut' } | { kind: 'stall' } | { kind: 'delay'; ms: number };

/**
 * Starts a TCP proxy on 127.0.0.1 in front of a loopback server, for fault tests: it can cut,
 * stall or delay connections, or lose the reply to one request.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ targetPort: redis.port });
 * const client = new Redis({ port: proxy.port });
 * proxy.cut(); // every command now fails with a connection error
 * proxy.heal();
 * ```
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  let mode: Mode = { kind: 'open' };
  let loseReply = false;
  let accepted = 0;
  const pairs = new Set<[Socket, Socket]>();
  const stalled: (() => void)[] = [];

  // Connections whose next reply is to be dropped: the request went through, the reply will not.
  const dropReplyOf = new WeakSet<Socket>();

  const forward = (from: Socket, to: Socket, direction: 'request' | 'reply'): void => {
    from.on('data', (chunk: Buffer) => {
      const send = (): void => {
        if (to.destroyed) return;
        if (direction === 'reply' && dropReplyOf.has(from)) {
          // The server replied, and the client never receives the reply.
          destroyPair(to, from);
          return;
        }
        to.write(chunk);
        if (direction === 'request' && loseReply) {
          loseReply = false;
          dropReplyOf.add(to);
        }
      };
      if (mode.kind === 'stall') stalled.push(send);
      else if (mode.kind === 'delay') setTimeout(send, mode.ms);
      else send();
    });
  };

  const destroyPair = (client: Socket, upstream: Socket): void => {
    client.destroy();
    upstream.destroy();
  };

  const server: Server = createServer((client) => {
    accepted++;
    if (mode.kind === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: options.targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forget = (): void => {
      pairs.delete(pair);
      destroyPair(client, upstream);
    };
    client.on('close', forget).on('error', forget);
    upstream.on('close', forget).on('error', forget);
    forward(client, upstream, 'request');
    forward(upstream, client, 'reply');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`Expected a TCP address, got ${String(address)}.`);

  const destroyAll = (): void => {
    for (const [client, upstream] of pairs) destroyPair(client, upstream);
    pairs.clear();
  };

  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    cut() {
      mode = { kind: 'cut' };
      stalled.length = 0;
      destroyAll();
    },
    stall() {
      mode = { kind: 'stall' };
    },
    delay(ms) {
      mode = { kind: 'delay', ms };
    },
    loseNextReply() {
      loseReply = true;
    },
    heal() {
      mode = { kind: 'open' };
      loseReply = false;
      for (const send of stalled.splice(0)) send();
    },
    async close() {
      destroyAll();
      server.close();
      await once(server, 'close');
    },
  };
}
