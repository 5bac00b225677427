// The public API, shared by every entry point.
export { canonicalJson } from './canonical-json.js';
export type { Claim, StepContext } from './claim.js';
export { step } from './current-claim.js';
export { Idempotency, type IdempotencyStart } from './engine.js';
export {
  IdempotencyConfigError,
  IdempotencyError,
  type IdempotencyErrorCode,
  type IdempotencyErrorOptions,
  IdempotencyInProgressError,
  type IdempotencyInProgressErrorOptions,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyPersistenceError,
  IdempotencySerializationError,
  type IdempotencySerializationErrorOptions,
  type SerializationFailure,
} from './errors.js';
export { type DeriveKeyOptions, deriveKey } from './key.js';
export { isLambdaContext, type LambdaContextLike } from './lambda-context.js';
export { createLog, type IdempotencyLogger, type Log } from './logger.js';
export { type IdempotentFunction, makeIdempotent, settle } from './make-idempotent.js';
export { MemoryPersistenceLayer, type MemoryPersistenceOptions } from './memory-store.js';
export {
  describeValue,
  type IdempotencyOptions,
  type InProgressWaitOptions,
  type LocalCacheOptions,
  rejectUnknownKeys,
  type Selector,
} from './options.js';
export type { IdempotencyOutcome, IdempotencyOutcomeType } from './outcome.js';
export {
  type BodySelectorOptions,
  fromBody,
  fromHeader,
  fromPathParameter,
  type HttpEventLike,
  jsonBody,
  readHeader,
} from './selectors.js';
export { defaultSerializer, type ResultSerializer } from './serializer.js';
export { replayOutcome, type StoredOutcome } from './stored-result.js';
export {
  type AcquireRequest,
  type AcquireResult,
  type CompleteRequest,
  type DeleteRequest,
  type ExtendRequest,
  type GetRequest,
  type IdempotencyRecord,
  IdempotencyRecordStatus,
  type IdempotencyRecordStatusValue,
  type PersistenceLayer,
  type PersistenceTraits,
  type ReleaseRequest,
  type SaveStepRequest,
  type StepResults,
} from './types.js';
