// Store selection for the demo: each store is one small function that opens it against a local
// service, and closes it and removes the run's records at the end.
import { MemoryPersistenceLayer, type PersistenceLayer } from '@idemkit/idempotency-core';
import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput, DynamoDBPersistenceLayer } from '@idemkit/idempotency-dynamodb';
import { UpstashPersistenceLayer } from '@idemkit/idempotency-upstash-rest';
import { startUpstashRestServer } from '@idemkit/upstash-rest-server';
import { type DynamoDBLocal, dynamoDBLocalClientConfig, startDynamoDBLocal } from '@idemkit/test-support';
import { Redis } from 'ioredis';

/** The stores that `--store` accepts. */
export const STORE_NAMES = ['memory', 'redis', 'dynamodb', 'upstash'] as const;

export type StoreName = (typeof STORE_NAMES)[number];

/** An open store: the layer the handler uses, and how to close it when the run ends. */
export interface OpenStore {
  readonly persistence: PersistenceLayer;
  /** One line for the run's header, such as "memory (in this process)". */
  readonly description: string;
  close(): Promise<void>;
}

const openers: Record<StoreName, () => Promise<OpenStore>> = {
  memory: openMemory,
  redis: openRedis,
  dynamodb: openDynamoDb,
  upstash: openUpstash,
};

/** True when `name` is one of {@link STORE_NAMES}. */
export function isStoreName(name: string): name is StoreName {
  return (STORE_NAMES as readonly string[]).includes(name);
}

/** Opens the named store against its local service. */
export function openStore(name: StoreName): Promise<OpenStore> {
  return openers[name]();
}

async function openMemory(): Promise<OpenStore> {
  const persistence = new MemoryPersistenceLayer({ maxItems: 100_000 });
  return { persistence, description: 'memory (in this process)', close: () => persistence.close() };
}

// Every run writes under a fresh key prefix, so a second run never replays the first one's
// payments, and deletes its records when it ends.
async function openRedis(): Promise<OpenStore> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `idemkit-demo:${crypto.randomUUID()}:`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, commandTimeout: 5_000, lazyConnect: true });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`Cannot reach Redis at ${url}: ${(error as Error).message}. Start redis-server, or set REDIS_URL.`);
  }
  const persistence = new RedisPersistenceLayer(client, { keyPrefix });
  return {
    persistence,
    description: `redis (${redactUrl(url)}, keys under ${keyPrefix})`,
    async close() {
      await deleteKeys(client, `${keyPrefix}*`);
      await client.quit();
    },
  };
}

async function deleteKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Drops the password from a URL for printing. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

// DYNAMODB_ENDPOINT points at a DynamoDB Local that is already running; without it the demo
// starts one itself on a free loopback port (it needs Java). Each run uses a fresh table.
async function openDynamoDb(): Promise<OpenStore> {
  const configuredEndpoint = process.env.DYNAMODB_ENDPOINT;
  const local = configuredEndpoint === undefined ? await startDynamoDBLocal() : undefined;
  const endpoint = configuredEndpoint ?? (local as DynamoDBLocal).endpoint;
  const client = new DynamoDBClient(dynamoDBLocalClientConfig(endpoint));
  const tableName = `idemkit-demo-${crypto.randomUUID()}`;
  try {
    await client.send(new CreateTableCommand(createTableInput({ tableName })));
  } catch (error) {
    client.destroy();
    await local?.stop();
    throw new Error(`Cannot create the demo table at ${endpoint}: ${(error as Error).message}. Check DYNAMODB_ENDPOINT, or unset it to let the demo start DynamoDB Local.`);
  }
  const persistence = DynamoDBPersistenceLayer.fromClient(client, { tableName });
  return {
    persistence,
    description: `dynamodb (${local === undefined ? endpoint : `DynamoDB Local started on ${endpoint}`}, table ${tableName})`,
    async close() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
      await local?.stop();
    },
  };
}

// With UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN set, the demo uses that database.
// Without them it starts the project's loopback server that speaks Upstash's REST protocol over
// the local Redis (REDIS_URL), and deletes the run's records at the end.
async function openUpstash(): Promise<OpenStore> {
  const keyPrefix = `idemkit-demo:${crypto.randomUUID()}:`;
  if (process.env.UPSTASH_REDIS_REST_URL !== undefined) {
    const persistence = UpstashPersistenceLayer.fromEnv({ keyPrefix });
    return { persistence, description: `upstash (UPSTASH_REDIS_REST_URL, keys under ${keyPrefix})`, close: () => persistence.close() };
  }

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const server = await startUpstashRestServer({ redisUrl });
  const persistence = UpstashPersistenceLayer.fromEnv({
    keyPrefix,
    env: { UPSTASH_REDIS_REST_URL: server.url, UPSTASH_REDIS_REST_TOKEN: server.token },
  });
  return {
    persistence,
    description: `upstash (REST server on ${server.url} over ${redactUrl(redisUrl)}, keys under ${keyPrefix})`,
    async close() {
      await server.close();
      const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
      await client.connect();
      await deleteKeys(client, `${keyPrefix}*`);
      await client.quit();
    },
  };
}
