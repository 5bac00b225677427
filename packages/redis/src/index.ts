/**
 * @idemkit/idempotency-redis: idemkit records in Redis or Redis Cluster, through ioredis.
 *
 * @module
 */
export { type RedisClientLike } from './client.js';
export { DEFAULT_REDIS_OPTIONS, type RedisPersistenceOptions, type RedisUrlOptions } from './options.js';
export { RedisPersistenceLayer } from './redis-persistence-layer.js';
