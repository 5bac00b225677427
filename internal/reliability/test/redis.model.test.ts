import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { describe } from 'vitest';

import { runContractModel } from '../src/index.ts';
import { sharedRedisUrl } from './stores.ts';

describe('Redis', () => {
  runContractModel({
    name: 'RedisPersistenceLayer',
    create: () => RedisPersistenceLayer.fromUrl(sharedRedisUrl(), { keyPrefix: `model-${crypto.randomUUID()}:`, logger: false }),
    runs: 12,
    maxCommands: 25,
    timeoutMs: 120_000,
  });
});

