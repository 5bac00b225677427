import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConfigError } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { localClient, localClientConfig, useLocalTable } from './support.js';

const { client, tableName } = useLocalTable('clients');

/** Acquires and completes one record through `layer`, and reads it back. */
async function roundTrip(layer: DynamoDBPersistenceLayer): Promise<string | undefined> {
  const key = `clients#${crypto.randomUUID()}`;
  const leaseToken = crypto.randomUUID();
  await layer.acquire({ key, leaseToken, leaseMs: 30_000, expiresAfterMs: 60_000, now: Date.now() });
  await layer.complete({ key, leaseToken, response: 'stored', now: Date.now() });
  return (await layer.get({ key, now: Date.now() }))?.response;
}

describe('clients', () => {
  it('given document client stays open after close', async () => {
    const own = localClient();
    const layer = new DynamoDBPersistenceLayer(DynamoDBDocumentClient.from(own), { tableName });

    expect(await roundTrip(layer)).toBe('stored');
    await layer.close();

    await expect(own.send(new ListTablesCommand({}))).resolves.toBeDefined();
    own.destroy();
  });

  it('given DynamoDBClient stays open after close', async () => {
    const own = localClient();
    const layer = DynamoDBPersistenceLayer.fromClient(own, { tableName });

    expect(await roundTrip(layer)).toBe('stored');
    await layer.close();

    await expect(own.send(new ListTablesCommand({}))).resolves.toBeDefined();
    own.destroy();
  });

  it('client built from config works and closes', async () => {
    const layer = DynamoDBPersistenceLayer.fromConfig(localClientConfig(), { tableName });

    expect(await roundTrip(layer)).toBe('stored');
    await expect(layer.close()).resolves.toBeUndefined();
  });

  it('fromClient keeps the settings of an existing document client', async () => {
    const own = localClient();
    const userDocuments = DynamoDBDocumentClient.from(own, { marshallOptions: { removeUndefinedValues: true } });
    DynamoDBPersistenceLayer.fromClient(own, { tableName });

    const put = userDocuments.send(new PutCommand({ TableName: tableName, Item: { id: `user#${crypto.randomUUID()}`, details: { note: undefined } } }));

    await expect(put).resolves.toBeDefined();
    own.destroy();
  });

  it('document client that stores empty strings as NULL is rejected', () => {
    const own = localClient();
    const converting = DynamoDBDocumentClient.from(own, { marshallOptions: { convertEmptyValues: true } });

    expect(() => new DynamoDBPersistenceLayer(converting, { tableName })).toThrow(IdempotencyConfigError);
    expect(() => new DynamoDBPersistenceLayer(converting, { tableName })).toThrow(/convertEmptyValues/);
    own.destroy();
  });

  it('later convertEmptyValues on the shared client fails the next call', async () => {
    const own = localClient();
    const layer = DynamoDBPersistenceLayer.fromClient(own, { tableName });
    DynamoDBDocumentClient.from(own, { marshallOptions: { convertEmptyValues: true } });

    const acquiring = layer.acquire({ key: `late#${crypto.randomUUID()}`, leaseToken: 't', leaseMs: 1000, expiresAfterMs: 2000, now: Date.now() });

    await expect(acquiring).rejects.toThrow(IdempotencyConfigError);
    own.destroy();
  });

  it('records read back when numbers are wrapped', async () => {
    const own = localClient();
    const wrapping = DynamoDBDocumentClient.from(own, { unmarshallOptions: { wrapNumbers: true } });
    const layer = new DynamoDBPersistenceLayer(wrapping, { tableName });
    const key = `wrapped#${crypto.randomUUID()}`;
    const now = Date.now();
    await layer.acquire({ key, leaseToken: 'token', leaseMs: 30_000, expiresAfterMs: 60_000, now });

    const record = await layer.get({ key, now });
    const { Item } = await wrapping.send(new GetCommand({ TableName: tableName, Key: { id: key } }));

    expect(typeof Item?.expiresAt).toBe('object');
    expect(record?.expiresAt).toBe(now + 60_000);
    expect(record?.leaseExpiresAt).toBe(now + 30_000);
    own.destroy();
  });

  it('takeover and expiry work when numbers are wrapped', async () => {
    const own = localClient();
    const layer = new DynamoDBPersistenceLayer(DynamoDBDocumentClient.from(own, { unmarshallOptions: { wrapNumbers: true } }), { tableName });
    const key = `wrapped-steps#${crypto.randomUUID()}`;
    const now = Date.now();
    const first = { key, leaseToken: 'first', leaseMs: 1_000, expiresAfterMs: 10_000, now };
    await layer.acquire(first);
    await layer.saveStep({ key, leaseToken: 'first', name: 'charge', result: 'c1', now });

    const takeover = await layer.acquire({ ...first, leaseToken: 'second', now: now + 2_000 });
    const afterExpiry = await layer.acquire({ ...first, leaseToken: 'third', now: now + 20_000 });

    expect(takeover).toEqual({ acquired: true, steps: { charge: 'c1' } });
    expect(afterExpiry).toEqual({ acquired: true, steps: {} });
    own.destroy();
  });
});
