import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConfigError } from '@idemkit/idempotency-core';
import { afterAll, describe, expect, it } from 'vitest';

import { createTableInput, type DynamoDBPersistenceOptions, DynamoDBPersistenceLayer, timeToLiveInput } from '../src/index.js';
import { localClient, useLocalTable } from './support.js';

const client = localClient();
const documentClient = DynamoDBDocumentClient.from(client);

afterAll(() => {
  client.destroy();
});

/** Returns the error that creating a layer with `options` throws, and fails the test when it throws none. */
function configErrorFor(options: unknown): IdempotencyConfigError {
  try {
    new DynamoDBPersistenceLayer(documentClient, options as DynamoDBPersistenceOptions);
  } catch (error) {
    expect(IdempotencyConfigError.is(error)).toBe(true);
    return error as IdempotencyConfigError;
  }
  throw new Error('expected an IdempotencyConfigError');
}

describe('options', () => {
  it('unknown option is rejected with the valid ones', () => {
    const error = configErrorFor({ tableName: 'idempotency', ttlAttribute: 'ttl' });

    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('options.ttlAttribute');
    expect(error.message).toContain('tableName, keySchema, attributeNames');
  });

  it.each([
    ['missing', undefined],
    ['too short', 'ab'],
    ['with a space', 'my table'],
    ['a number', 42],
  ])('table name %s is rejected', (_label, tableName) => {
    const error = configErrorFor({ tableName });

    expect(error.message).toMatch(/^DynamoDBPersistenceLayer: tableName must be/);
    expect(error.message).toContain(`got ${tableName === undefined ? 'undefined' : JSON.stringify(tableName)}`);
  });

  it('table ARN is accepted', () => {
    expect(() => new DynamoDBPersistenceLayer(documentClient, { tableName: 'arn:aws:dynamodb:eu-west-1:123456789012:table/idempotency' })).not.toThrow();
  });

  it('unknown attribute name option is rejected', () => {
    const error = configErrorFor({ tableName: 'idempotency', attributeNames: { data: 'd' } });

    expect(error.message).toContain('attributeNames.data');
  });

  it('empty attribute name is rejected with its default', () => {
    const error = configErrorFor({ tableName: 'idempotency', attributeNames: { response: '' } });

    expect(error.message).toContain('attributeNames.response must be a non-empty string, got ""');
    expect(error.message).toContain('"response"');
  });

  it('attribute name shared with the key is rejected', () => {
    const error = configErrorFor({ tableName: 'idempotency', attributeNames: { status: 'id' } });

    expect(error.message).toContain('keySchema.partitionKey and attributeNames.status are both "id"');
  });

  it('two fields with one attribute name are rejected', () => {
    const error = configErrorFor({ tableName: 'idempotency', attributeNames: { response: 'data', steps: 'data' } });

    expect(error.message).toContain('attributeNames.response and attributeNames.steps are both "data"');
  });

  it('partition key value without a sort key is rejected', () => {
    const error = configErrorFor({ tableName: 'idempotency', keySchema: { partitionKey: 'pk', partitionKeyValue: 'x' } });

    expect(error.message).toContain('keySchema.partitionKeyValue');
    expect(error.message).toContain('keySchema.sortKey');
  });

  it('unknown key schema option is rejected', () => {
    const error = configErrorFor({ tableName: 'idempotency', keySchema: { partitionKey: 'pk', rangeKey: 'sk' } });

    expect(error.message).toContain('keySchema.rangeKey');
  });

  it('first argument that is not a client is rejected', () => {
    const error = (() => {
      try {
        new DynamoDBPersistenceLayer('idempotency' as never, { tableName: 'idempotency' });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();

    expect(IdempotencyConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain('fromClient');
  });

  it('fromConfig validates options before it creates a client', () => {
    expect(() => DynamoDBPersistenceLayer.fromConfig({ region: 'local' }, { tableName: 'x' })).toThrow(/tableName must be/);
  });
});

describe('table helpers', () => {
  it('createTableInput uses the partition key and on-demand billing', () => {
    expect(createTableInput({ tableName: 'idempotency' })).toEqual({
      TableName: 'idempotency',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('createTableInput adds the sort key of a composite key', () => {
    const input = createTableInput({ tableName: 'app', keySchema: { partitionKey: 'pk', sortKey: 'sk' } });

    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ]);
  });

  it('timeToLiveInput names the epoch-seconds attribute', () => {
    expect(timeToLiveInput({ tableName: 'idempotency' })).toEqual({
      TableName: 'idempotency',
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAtSeconds' },
    });
    expect(timeToLiveInput({ tableName: 'idempotency', attributeNames: { expiresAtSeconds: 'ttl' } }).TimeToLiveSpecification?.AttributeName).toBe('ttl');
  });

  describe('on DynamoDB Local', () => {
    const table = useLocalTable('helpers');

    it('helpers create a table with TTL enabled', async () => {
      const { TimeToLiveDescription } = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));

      expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
      expect(TimeToLiveDescription?.AttributeName).toBe('expiresAtSeconds');
    });
  });
});
