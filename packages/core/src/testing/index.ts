/**
 * The conformance suite for persistence layers: one call runs, under Vitest, a test of every
 * clause of the adapter contract against a real store.
 *
 * @module
 */
import { afterAll, afterEach, beforeEach, describe } from 'vitest';

import type { AcquireRequest, PersistenceLayer } from '../types.js';
import { acquireTests } from './acquire.js';
import { concurrencyTests } from './concurrency.js';
import { type ConformanceOptions, InjectedTime, RealTime, type SuiteContext, type SuiteTime } from './context.js';
import { roundTripTests } from './round-trip.js';
import { settleTests } from './settle.js';
import { stepTests } from './steps.js';

export type { ConformanceOptions, SuiteTime } from './context.js';
export { FALSY_RESULTS, storedResponse } from './scenarios.js';

const DEFAULT_TIME_UNIT_MS = 50;
const INJECTED_TIME_UNIT_MS = 1000;

/**
 * Registers the conformance tests for a persistence layer. Call it at the top level of a Vitest
 * test file. The layer is created while the tests are collected, because its `traits` decide
 * the tests: a caller-clock layer gets injected instants, a store-clock layer real waits of a
 * few `timeUnitMs`, and a layer with `maxRecordBytes` gets the size-limit tests. Keys carry a
 * random prefix, and every key a test used is deleted after it.
 *
 * @example
 * ```ts
 * // my-store.conformance.test.ts
 * import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';
 * import { MyPersistenceLayer } from '../src/index.js';
 *
 * runPersistenceConformance({ name: 'MyPersistenceLayer', create: () => new MyPersistenceLayer(client) });
 * ```
 */
export function runPersistenceConformance(options: ConformanceOptions): void {
  describe(`${options.name} conformance`, async () => {
    const layer = await options.create();
    const suite = createSuiteContext(layer, options);

    afterEach(suite.cleanUp);
    afterAll(() => layer.close());
    beforeEach(suite.resetClock);

    describe('acquire', () => acquireTests(suite));
    describe('complete, release, extend, get, delete', () => settleTests(suite));
    describe('steps', () => stepTests(suite));
    describe('round trip', () => roundTripTests(suite));
    describe('concurrency', () => concurrencyTests(suite));
  });
}

function createSuiteContext(
  layer: PersistenceLayer,
  options: ConformanceOptions,
): SuiteContext & { cleanUp(): Promise<void>; resetClock(): void } {
  const storeClock = layer.traits.clock === 'store';
  const unitMs = storeClock ? (options.timeUnitMs ?? DEFAULT_TIME_UNIT_MS) : INJECTED_TIME_UNIT_MS;
  const prefix = `conformance-${crypto.randomUUID()}`;
  let time: SuiteTime = new InjectedTime();
  let usedKeys: string[] = [];
  let keyCount = 0;

  const suite = {
    layer: () => layer,
    traits: () => layer.traits,
    time: () => time,
    key(label = 'key') {
      const key = `${prefix}#${label}-${++keyCount}`;
      usedKeys.push(key);
      return key;
    },
    token: () => crypto.randomUUID(),
    unitMs,
    leaseMs: 4 * unitMs,
    expiresAfterMs: 20 * unitMs,
    shortExpiry: () => ({ expiresAfterMs: 6 * unitMs, leaseMs: 4 * unitMs }),
    acquireRequest(key: string, overrides: Partial<AcquireRequest> = {}): AcquireRequest {
      return {
        key,
        leaseToken: crypto.randomUUID(),
        leaseMs: suite.leaseMs,
        expiresAfterMs: suite.expiresAfterMs,
        now: time.now(),
        ...overrides,
      };
    },
    storeTtlMs: options.storeTtlMs,
    resetClock() {
      time = storeClock ? new RealTime(unitMs) : new InjectedTime();
    },
    async cleanUp() {
      const keys = usedKeys;
      usedKeys = [];
      await Promise.all(keys.map((key) => layer.delete({ key })));
    },
  };
  return suite;
}
