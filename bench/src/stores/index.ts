import type { BenchConfig } from '../config.ts';
import { openDynamoDBStore } from './dynamodb.ts';
import { openMemoryStore } from './memory.ts';
import { openRedisStore } from './redis.ts';
import type { OpenStore } from './store.ts';
import { openUpstashStore } from './upstash.ts';

/** A store the bench can start; each module wires the idemkit adapter only when its package has sources. */
export interface StoreModule {
  readonly name: string;
  open(config: BenchConfig): Promise<OpenStore>;
}

export const STORE_MODULES: readonly StoreModule[] = [
  { name: 'memory', open: openMemoryStore },
  { name: 'Redis', open: openRedisStore },
  { name: 'DynamoDB Local', open: openDynamoDBStore },
  { name: 'Upstash REST', open: openUpstashStore },
];
