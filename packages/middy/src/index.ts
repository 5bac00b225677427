/**
 * Middy middleware for idemkit: idempotent Lambda handlers, an HTTP mode for the
 * `Idempotency-Key` header with problem+json outcomes, and idempotent SQS batches.
 *
 * @module
 */
export { parseIdempotencyKey } from './http-key.js';
export { type HttpResponseLike, REPLAYED_HEADER } from './http-response.js';
export { type IdempotencyContext, idempotency, type IdempotentContext } from './middleware.js';
export {
  DEFAULT_MAX_KEY_LENGTH,
  type HttpModeOptions,
  type IdempotencyMiddlewareOptions,
  type PersistenceFactory,
  type PersistenceFactoryRequest,
  type ResolvedHttpMode,
} from './options.js';
export { fromMessageAttribute, idempotentSqsBatch, type SqsBatchHandler, type SqsRecordHandler } from './sqs.js';
