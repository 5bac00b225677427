import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';

import { DynamoDBPersistenceLayer } from '../src/index.js';
import { countRequests, useLocalTable } from './support.js';

const { client, documentClient, tableName } = useLocalTable('claims');
const requests = countRequests(client);

/** Two layers on one table, as two processes (Lambda instances) would hold them. */
function twoProcesses(): [DynamoDBPersistenceLayer, DynamoDBPersistenceLayer] {
  return [new DynamoDBPersistenceLayer(documentClient, { tableName }), new DynamoDBPersistenceLayer(documentClient, { tableName })];
}

function claim(key: string, now: number, overrides: { leaseMs?: number; expiresAfterMs?: number } = {}) {
  return { key, leaseToken: crypto.randomUUID(), leaseMs: overrides.leaseMs ?? 30_000, expiresAfterMs: overrides.expiresAfterMs ?? 60_000, now };
}

async function rawItem(key: string): Promise<Record<string, unknown> | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: tableName, Key: { id: key }, ConsistentRead: true }))).Item;
}

describe('claims across processes', () => {
  it('release keeps steps stored by another process', async () => {
    const [owner, other] = twoProcesses();
    const now = Date.now();
    const request = claim(`release#${crypto.randomUUID()}`, now);
    await owner.acquire(request);
    await other.saveStep({ key: request.key, leaseToken: request.leaseToken, name: 'charge', result: 'c1', now });
    requests.reset();

    const released = await owner.release({ key: request.key, leaseToken: request.leaseToken, now });

    expect(released).toBe(true);
    expect(requests.operations).toEqual(['DeleteItem', 'UpdateItem']);
    const record = await owner.get({ key: request.key, now });
    expect(record?.steps).toEqual({ charge: 'c1' });
    expect(record?.leaseExpiresAt).toBe(now);
  });

  it('release of a claim with known steps sends one request', async () => {
    const [owner] = twoProcesses();
    const now = Date.now();
    const request = claim(`release-known#${crypto.randomUUID()}`, now);
    await owner.acquire(request);
    await owner.saveStep({ key: request.key, leaseToken: request.leaseToken, name: 'charge', result: 'c1', now });
    requests.reset();

    await owner.release({ key: request.key, leaseToken: request.leaseToken, now });

    expect(requests.operations).toEqual(['UpdateItem']);
  });

  it('acquire over an expired claim clears its steps', async () => {
    const [first, second] = twoProcesses();
    const start = Date.now();
    const expired = claim(`expired-steps#${crypto.randomUUID()}`, start, { expiresAfterMs: 1000, leaseMs: 500 });
    await first.acquire(expired);
    await first.saveStep({ key: expired.key, leaseToken: expired.leaseToken, name: 'charge', result: 'c1', now: start });
    requests.reset();

    const result = await second.acquire(claim(expired.key, start + 2000));

    expect(result).toEqual({ acquired: true, steps: {} });
    expect(requests.operations).toEqual(['UpdateItem', 'UpdateItem']);
    expect((await rawItem(expired.key))?.steps).toEqual({});
  });

  it('retried acquire finds its own claim', async () => {
    const [first, retry] = twoProcesses();
    const now = Date.now();
    const request = claim(`own#${crypto.randomUUID()}`, now);
    await first.acquire(request);
    await first.saveStep({ key: request.key, leaseToken: request.leaseToken, name: 'a', result: '1', now });

    expect(await retry.acquire({ ...request, now: now + 10 })).toEqual({ acquired: true, steps: { a: '1' } });
  });

  it('extend from another process is capped on read', async () => {
    const [owner, other] = twoProcesses();
    const now = Date.now();
    const request = claim(`extend#${crypto.randomUUID()}`, now, { expiresAfterMs: 60_000 });
    await owner.acquire(request);

    const extended = await other.extend({ key: request.key, leaseToken: request.leaseToken, leaseMs: 600_000, now });

    expect(extended).toBe(true);
    expect((await owner.get({ key: request.key, now }))?.leaseExpiresAt).toBe(now + 60_000);
    expect((await rawItem(request.key))?.leaseExpiresAt).toBe(now + 600_000);
  });

  it('extend by the owner stores the capped lease', async () => {
    const [owner] = twoProcesses();
    const now = Date.now();
    const request = claim(`extend-owner#${crypto.randomUUID()}`, now, { expiresAfterMs: 60_000 });
    await owner.acquire(request);

    await owner.extend({ key: request.key, leaseToken: request.leaseToken, leaseMs: 600_000, now });

    expect((await rawItem(request.key))?.leaseExpiresAt).toBe(now + 60_000);
  });
});
