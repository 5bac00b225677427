import { afterAll, beforeAll, describe, inject } from 'vitest';

import { runContractModel } from '../src/index.ts';
import { createDynamoTable, type DynamoTable } from './stores.ts';

describe('DynamoDB', () => {
  let table: DynamoTable;
  beforeAll(async () => {
    table = await createDynamoTable(inject('dynamodbEndpoint'));
  });
  afterAll(() => table.drop());

  runContractModel({ name: 'DynamoDBPersistenceLayer', create: () => table.layer, runs: 60, maxCommands: 30, timeoutMs: 120_000 });
});
