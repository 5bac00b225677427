import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1 and releases it at once, for a server that the
 * caller starts next. Another process could take the port in between. That is rare on a test
 * machine, and the server then fails to start with a clear error.
 *
 * @example
 * ```ts
 * const port = await findFreePort();
 * spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1']);
 * ```
 */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error(`Expected a TCP address, got ${String(address)}.`);
  return address.port;
}
