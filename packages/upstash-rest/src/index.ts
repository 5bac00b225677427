/**
 * @idemkit/idempotency-upstash-rest: idemkit records in Upstash Redis over HTTP, through
 * `@upstash/redis`, for serverless and edge functions.
 *
 * @module
 */
export type { UpstashRedisLike } from './client.js';
export {
  DEFAULT_KEY_PREFIX,
  type UpstashClientOptions,
  type UpstashEnv,
  type UpstashEnvOptions,
  type UpstashPersistenceOptions,
} from './options.js';
export { UpstashPersistenceLayer } from './upstash-persistence-layer.js';
