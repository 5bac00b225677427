import {
  createLog,
  Idempotency,
  IdempotencyError,
  IdempotencyInProgressError,
  type IdempotencyOptions,
  isLambdaContext,
  type Log,
  type Selector,
  settle,
} from '@idemkit/idempotency-core';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Processes one SQS record. Its return value is stored, so a duplicate of the record is
 * acknowledged without running it again; a throw reports the record as failed.
 *
 * @example
 * ```ts
 * const ship: SqsRecordHandler = async (record) => warehouse.ship(JSON.parse(record.body));
 * ```
 */
export type SqsRecordHandler = (record: SQSRecord, context: Context) => unknown;

/**
 * A Lambda handler for SQS batches, as {@link idempotentSqsBatch} returns it.
 *
 * @example
 * ```ts
 * export const handler: SqsBatchHandler = idempotentSqsBatch(ship, { persistence });
 * ```
 */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The record's body exactly as sent: the default key of {@link idempotentSqsBatch}. */
const messageBody: Selector<SQSRecord> = (record) => record.body;

/**
 * Makes every record of an SQS batch idempotent on its own and reports the records that failed
 * through `batchItemFailures`, so that SQS redelivers only those. Turn on "report batch item
 * failures" (`ReportBatchItemFailures`) on the event source mapping.
 *
 * The key defaults to the message body exactly as sent, so a producer that sends the same
 * message twice (two message ids) runs it once. Choose another with `key`: `fromBody('orderId')`
 * from the core package reads a member of a JSON body, {@link fromMessageAttribute} an
 * attribute. The `messageId` is a poor key: SQS gives each send a new one.
 *
 * What each record's outcome reports:
 * - ran, or replayed a stored result: success;
 * - the handler threw, the store failed, the key was used with another payload, or the key is
 *   missing while `requireKey` is set: failure;
 * - a duplicate of a record still being processed elsewhere: failure, so SQS delivers it again
 *   after the visibility timeout, by when the first one has finished and the redelivery replays.
 *
 * Records run one after another. In a FIFO queue (records with a `MessageGroupId`) the first
 * failure stops the batch and every record after it is reported as failed too, to keep order.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { fromBody } from '@idemkit/idempotency-core';
 * import { idempotentSqsBatch } from '@idemkit/idempotency-middy';
 *
 * export const handler = middy(
 *   idempotentSqsBatch(async (record) => ship(JSON.parse(record.body)), {
 *     persistence,
 *     key: fromBody('orderId'),
 *   }),
 * );
 * ```
 */
export function idempotentSqsBatch(processRecord: SqsRecordHandler, options: IdempotencyOptions<SQSRecord>): SqsBatchHandler {
  const engine = new Idempotency<SQSRecord>({ ...options, key: options.key ?? messageBody });
  const log = createLog(options.logger);

  return async function idempotentSqsBatchHandler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const lambdaContext = isLambdaContext(context) ? context : undefined;
    const batchItemFailures: SQSBatchItemFailure[] = [];
    let stopped = false;

    for (const record of event.Records) {
      if (stopped) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        await settle(await engine.begin(record, lambdaContext), () => processRecord(record, context));
      } catch (error) {
        reportFailure(log, record, error);
        batchItemFailures.push({ itemIdentifier: record.messageId });
        stopped = record.attributes?.MessageGroupId !== undefined;
      }
    }
    return { batchItemFailures };
  };
}

/**
 * Selects a message attribute of an SQS record as the key: its `stringValue`, or its
 * `binaryValue` (base64) for a binary attribute. `undefined` when the record has no such
 * attribute.
 *
 * @example
 * ```ts
 * idempotentSqsBatch(ship, { persistence, key: fromMessageAttribute('requestId') });
 * ```
 */
export function fromMessageAttribute(name: string): Selector<SQSRecord> {
  return (record) => {
    const attributes = record.messageAttributes;
    if (attributes === undefined || attributes === null || !Object.hasOwn(attributes, name)) return undefined;
    const attribute = attributes[name];
    return attribute?.stringValue ?? attribute?.binaryValue;
  };
}

// Logs ids and error codes only: an error's message may repeat the message body.
function reportFailure(log: Log, record: SQSRecord, error: unknown): void {
  const details = {
    messageId: record.messageId,
    error: error instanceof Error ? error.name : typeof error,
    ...(IdempotencyError.is(error) ? { code: error.code } : {}),
  };
  if (IdempotencyInProgressError.is(error)) {
    log.info('SQS record is a duplicate of one still in progress; reported as failed so that SQS delivers it again later', details);
    return;
  }
  log.warn('SQS record failed; reported in batchItemFailures', details);
}
