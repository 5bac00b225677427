import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { recordFigures, runContractModel, runStorm, runTwoProcessBurst } from '../src/index.ts';
import { openFixture, SHARED_STORES, type StoreFixture } from './fixtures.ts';

// `pnpm test:soak` sets IDEMKIT_SOAK=1: longer model runs and bigger storms.
const SOAK = process.env.IDEMKIT_SOAK === '1';
const STORM_CALLS = SOAK ? 50_000 : 10_000;
const STORM_KEYS = STORM_CALLS / 5;

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
    runs: (kind === 'dynamodb' ? 60 : 10) * (SOAK ? 10 : 1),
    maxCommands: kind === 'dynamodb' ? 30 : 20,
    timeUnitMs: kind === 'upstash' ? 60 : 40,
    timeoutMs: SOAK ? 900_000 : 120_000,
  });

  it(`storm of ${STORM_CALLS} calls over ${STORM_KEYS} keys runs each key once`, async () => {
    const report = await runStorm({ persistence: fixture.layer, calls: STORM_CALLS, keys: STORM_KEYS, concurrency: 32, maxWorkMs: 3, seed: 3 });
    const executions = [...report.executions.values()].reduce((sum, count) => sum + count, 0);
    await recordFigures({ scenario: 'storm', store: kind, calls: STORM_CALLS, executions, faults: 0, lost: report.wrongResults, stuck: report.unsettledKeys.length });

    expect(report.unexpectedErrors.map(String)).toEqual([]);
    expect(report.executions.size).toBe(STORM_KEYS);
    expect([...report.executions.values()].filter((count) => count !== 1)).toEqual([]);
    expect(report.wrongResults).toBe(0);
    expect(report.unsettledKeys).toEqual([]);
    expect(report.replays + report.inProgress + STORM_KEYS).toBe(STORM_CALLS);
  }, SOAK ? 900_000 : 180_000);

  it('two processes with 100 calls each run the function once', async () => {
    const reports = await runTwoProcessBurst(fixture.child, `order-${crypto.randomUUID()}`, 100);

    const values = reports.flatMap((report) => report.values);
    const executions = reports.reduce((sum, report) => sum + report.executions, 0);
    await recordFigures({ scenario: 'two processes', store: kind, calls: 200, executions, faults: 0, lost: 0, stuck: 0 });
    expect(reports.flatMap((report) => report.other)).toEqual([]);
    expect(executions).toBe(1);
    expect(new Set(values).size).toBe(1);
    expect(values.length + reports.reduce((sum, report) => sum + report.inProgress, 0)).toBe(200);
  }, 60_000);
});
