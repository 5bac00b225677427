import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { runContractModel, runStorm, runTwoProcessBurst } from '../src/index.ts';
import { openFixture, SHARED_STORES, type StoreFixture } from './fixtures.ts';

describe.each(SHARED_STORES)('%s', (kind) => {
  let fixture: StoreFixture;
  beforeAll(async () => {
    fixture = await openFixture(kind, inject('dynamodbEndpoint'));
  }, 60_000);
  afterAll(() => fixture?.close());

  runContractModel({
    name: kind,
    create: () => fixture.layer,
    // Store-clock layers wait in real time, so they get fewer, shorter sequences.
    runs: kind === 'dynamodb' ? 60 : 10,
    maxCommands: kind === 'dynamodb' ? 30 : 20,
    timeUnitMs: kind === 'upstash' ? 60 : 40,
    timeoutMs: 120_000,
  });

  it('storm of 10,000 calls over 2,000 keys runs each key once', async () => {
    const report = await runStorm({ persistence: fixture.layer, calls: 10_000, keys: 2_000, concurrency: 32, maxWorkMs: 3, seed: 3 });

    expect(report.unexpectedErrors.map(String)).toEqual([]);
    expect(report.executions.size).toBe(2_000);
    expect([...report.executions.values()].filter((count) => count !== 1)).toEqual([]);
    expect(report.wrongResults).toBe(0);
    expect(report.replays + report.inProgress + 2_000).toBe(10_000);
  }, 180_000);

  it('two processes with 100 calls each run the function once', async () => {
    const reports = await runTwoProcessBurst(fixture.child, `order-${crypto.randomUUID()}`, 100);

    const values = reports.flatMap((report) => report.values);
    expect(reports.flatMap((report) => report.other)).toEqual([]);
    expect(reports.reduce((sum, report) => sum + report.executions, 0)).toBe(1);
    expect(new Set(values).size).toBe(1);
    expect(values.length + reports.reduce((sum, report) => sum + report.inProgress, 0)).toBe(200);
  }, 60_000);
});
