import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { findFreePort } from './free-port.ts';
import { type RedisServer, redisCli, startRedisServer } from './redis-server.ts';

const execFileAsync = promisify(execFile);

/** A Redis Cluster of private redis-server processes on loopback ports. */
export interface RedisCluster {
  /** Every master, as ioredis `Cluster` takes its startup nodes. */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly servers: readonly RedisServer[];
  /** Stops every process by its id and deletes their working directories. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Number of masters, each with a share of the 16384 slots; no replicas. Default 3. */
  readonly masters?: number;
  /** How long to wait for every node to report `cluster_state:ok`, in ms. Default 20000. */
  readonly readyTimeoutMs?: number;
}

const DEFAULT_MASTERS = 3;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 100;

/**
 * Starts a Redis Cluster of `masters` redis-server processes on 127.0.0.1, each with its own
 * client port and cluster bus port, joins them with `redis-cli --cluster create`, and resolves
 * once every node reports `cluster_state:ok`. Stops what it started when any step fails.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * afterAll(() => cluster.stop());
 * const client = new Cluster([...cluster.nodes]);
 * ```
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? DEFAULT_MASTERS;
  const ports = await distinctFreePorts(masters * 2);
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };

  try {
    for (let index = 0; index < masters; index++) {
      const busPort = ports[masters + index] as number;
      const extraArgs = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)];
      servers.push(await startRedisServer({ port: ports[index] as number, extraArgs }));
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await execFileAsync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await waitUntilClusterOk(servers, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw new Error(`The Redis Cluster did not start: ${(error as Error).message}`, { cause: error });
  }

  return { nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })), servers, stop };
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

async function waitUntilClusterOk(servers: readonly RedisServer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(servers.map((server) => redisCli(server.port, 'CLUSTER', 'INFO')));
    if (infos.every((info) => info.includes('cluster_state:ok'))) return;
    if (Date.now() > deadline) throw new Error(`not every node reported cluster_state:ok within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
