import { fromBody, MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

import { fromMessageAttribute, idempotentSqsBatch, type SqsRecordHandler } from '../src/index.js';
import { deferred, lambdaContext, middyMajors, RecordingLogger, settleMicrotasks } from './support.js';

function sqsRecord(body: string, extra: { attributes?: Record<string, string>; groupId?: string } = {}): SQSRecord {
  return {
    messageId: crypto.randomUUID(),
    receiptHandle: 'handle',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767225600000',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '1767225600000',
      ...(extra.groupId === undefined ? {} : { MessageGroupId: extra.groupId }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(extra.attributes ?? {}).map(([name, value]) => [name, { stringValue: value, dataType: 'String' }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders',
    awsRegion: 'eu-west-1',
  } as SQSRecord;
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

function setup(process: SqsRecordHandler = () => 'ok', options: Partial<Parameters<typeof idempotentSqsBatch>[1]> = {}) {
  const persistence = new MemoryPersistenceLayer();
  const processed: string[] = [];
  const logger = new RecordingLogger();
  const handler = idempotentSqsBatch(
    async (record, context) => {
      processed.push(record.body);
      return process(record, context);
    },
    { persistence, namespace: 'orders', logger, ...options },
  );
  return { persistence, processed, logger, handler };
}

describe('idempotentSqsBatch', () => {
  it('duplicate body runs once', async () => {
    const { processed, handler } = setup();
    const result = await handler(batch(sqsRecord('{"order":1}'), sqsRecord('{"order":2}'), sqsRecord('{"order":1}')), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(processed).toEqual(['{"order":1}', '{"order":2}']);
  });

  it('failed record alone is reported', async () => {
    let failOnce = true;
    const { processed, logger, handler } = setup((record) => {
      if (record.body === 'b' && failOnce) {
        failOnce = false;
        throw new Error('warehouse unavailable');
      }
      return record.body;
    });
    const records = [sqsRecord('a'), sqsRecord('b'), sqsRecord('c')];

    expect(await handler(batch(...records), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]?.messageId }] });
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    // The redelivered batch runs only the failed record; the others replay.
    expect(await handler(batch(...records), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(processed).toEqual(['a', 'b', 'c', 'b']);
  });

  it('in-progress duplicate is reported for redelivery', async () => {
    const gate = deferred();
    const { processed, handler } = setup(async () => {
      await gate.promise;
      return 'done';
    });
    const original = sqsRecord('{"order":1}');
    const duplicate = sqsRecord('{"order":1}');

    const first = handler(batch(original), lambdaContext());
    await settleMicrotasks();
    expect(await handler(batch(duplicate), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: duplicate.messageId }] });
    gate.resolve();
    expect(await first).toEqual({ batchItemFailures: [] });
    expect(await handler(batch(duplicate), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(processed).toHaveLength(1);
  });

  it('key from a message attribute', async () => {
    const { processed, handler } = setup(() => 'ok', { key: fromMessageAttribute('requestId') });
    await handler(
      batch(sqsRecord('first', { attributes: { requestId: 'r-1' } }), sqsRecord('second', { attributes: { requestId: 'r-1' } }), sqsRecord('third')),
      lambdaContext(),
    );
    // The record without the attribute has no key and runs without idempotency.
    expect(processed).toEqual(['first', 'third']);
  });

  it('key from a JSON body member', async () => {
    const { processed, handler } = setup(() => 'ok', { key: fromBody('orderId') });
    await handler(batch(sqsRecord('{"orderId":"o-1","at":1}'), sqsRecord('{"at":2,"orderId":"o-1"}')), lambdaContext());
    expect(processed).toEqual(['{"orderId":"o-1","at":1}']);
  });

  it('mismatch and missing key fail the record', async () => {
    const { handler } = setup(() => 'ok', {
      key: fromMessageAttribute('requestId'),
      payload: (record) => record.body,
      requireKey: true,
    });
    const original = sqsRecord('a', { attributes: { requestId: 'r-1' } });
    const mismatch = sqsRecord('b', { attributes: { requestId: 'r-1' } });
    const keyless = sqsRecord('c');

    const result = await handler(batch(original, mismatch, keyless), lambdaContext());
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([mismatch.messageId, keyless.messageId]);
  });

  it('FIFO failure stops the batch', async () => {
    const { processed, handler } = setup((record) => {
      if (record.body === 'b') throw new Error('rejected');
      return 'ok';
    });
    const records = ['a', 'b', 'c', 'd'].map((body) => sqsRecord(body, { groupId: 'g-1' }));
    const result = await handler(batch(...records), lambdaContext());
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(records.slice(1).map((record) => record.messageId));
    expect(processed).toEqual(['a', 'b']);
  });

  it.each(middyMajors)('works as a $name handler', async ({ middy }) => {
    const { processed, handler } = setup();
    const wrapped = middy(handler);
    expect(await wrapped(batch(sqsRecord('x'), sqsRecord('x')), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(processed).toEqual(['x']);
  });
});
