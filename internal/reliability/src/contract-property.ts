import type { IdempotencyRecord, PersistenceLayer } from '@idemkit/idempotency-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';

import { ContractModel, type ModelRecord, boundariesOf } from './contract-model.ts';

/** Options of {@link runContractModel}. */
export interface ContractModelOptions {
  readonly name: string;
  /** Returns the layer under test; the caller closes it. */
  readonly create: () => PersistenceLayer | Promise<PersistenceLayer>;
  /** Sequences to try. */
  readonly runs: number;
  /** Maximum number of calls in a sequence. */
  readonly maxCommands: number;
  /** Store-clock layers: the time unit of real waits, in ms. Default 40. */
  readonly timeUnitMs?: number;
  /** Per-test timeout in ms. */
  readonly timeoutMs?: number;
}

const CALLER_UNIT_MS = 1000;
const PAYLOADS = ['hash-a', 'hash-b', undefined] as const;
const STEP_NAMES = ['charge', 'ledger'] as const;

/** The test's clock: injected instants, or real time kept away from record boundaries. */
interface Clock {
  now(): number;
  advance(ms: number): Promise<void>;
  /** Waits until no boundary of `instants` lies within the clock's uncertainty of now. */
  settle(instants: readonly number[]): Promise<void>;
  readonly toleranceMs: number;
}

function injectedClock(): Clock {
  let now = Date.now();
  return {
    now: () => now,
    advance: async (ms) => {
      now += ms;
    },
    settle: async () => undefined,
    toleranceMs: 0,
  };
}

// A store's instants and the test's agree within a few ms on one machine. This margin keeps
// every call well clear of a lease or expiry boundary, where the two could disagree.
function realClock(marginMs: number): Clock {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    now: () => Date.now(),
    advance: sleep,
    async settle(instants) {
      for (;;) {
        const now = Date.now();
        const near = instants.find((instant) => Math.abs(instant - now) < marginMs);
        if (near === undefined) return;
        await sleep(near + marginMs - now + 1);
      }
    },
    toleranceMs: marginMs,
  };
}

interface World {
  readonly model: ContractModel;
  readonly layer: PersistenceLayer;
  readonly clock: Clock;
  readonly keys: readonly string[];
  readonly tokens: Map<string, string[]>;
  readonly unitMs: number;
}

type Command = fc.AsyncCommand<World, World>;

function tokenOf(world: World, key: string, index: number): string {
  const issued = world.tokens.get(key) ?? [];
  return issued[index] ?? `stranger-${index}`;
}

async function at(world: World, key: string): Promise<number> {
  await world.clock.settle(boundariesOf(world.model, key));
  return world.clock.now();
}

function expectRecord(world: World, actual: IdempotencyRecord | undefined, expected: ModelRecord | undefined): void {
  if (expected === undefined) {
    expect(actual).toBeUndefined();
    return;
  }
  expect(actual?.status).toBe(expected.status);
  expect(actual?.leaseToken).toBe(expected.leaseToken);
  expect(actual?.payloadHash).toBe(expected.payloadHash);
  expect(actual?.response).toBe(expected.response);
  expect(actual?.steps).toEqual(expected.steps);
  expect(Math.abs((actual?.expiresAt ?? Number.NaN) - expected.expiresAt)).toBeLessThanOrEqual(world.clock.toleranceMs);
  expect(Math.abs((actual?.leaseExpiresAt ?? Number.NaN) - expected.leaseExpiresAt)).toBeLessThanOrEqual(world.clock.toleranceMs);
}

/**
 * Copies the instants that a store-clock layer just wrote into the model, after checking that
 * they are within one time unit of the model's. The store reads its clock while it runs the
 * call, which on a loaded machine can be many ms after the test read its own; from then on the
 * model's boundaries are the store's, and `settle` keeps calls clear of them.
 */
async function adoptStoreInstants(world: World, key: string): Promise<void> {
  const record = world.model.records.get(key);
  if (world.clock.toleranceMs === 0 || record === undefined) return;
  const stored = await world.layer.get({ key, now: world.clock.now() });
  if (stored === undefined) return;
  expect(Math.abs(stored.expiresAt - record.expiresAt)).toBeLessThanOrEqual(world.unitMs);
  expect(Math.abs(stored.leaseExpiresAt - record.leaseExpiresAt)).toBeLessThanOrEqual(world.unitMs);
  record.expiresAt = stored.expiresAt;
  record.leaseExpiresAt = stored.leaseExpiresAt;
}

function command(label: string, run: (world: World) => Promise<void>): Command {
  return { check: () => true, run: (_model, world) => run(world), toString: () => label };
}

const keyIndex = fc.integer({ min: 0, max: 1 });
const tokenIndex = fc.integer({ min: 0, max: 3 });

const commands = (unitMs: number): fc.Arbitrary<Command>[] => [
  fc.tuple(keyIndex, fc.constantFrom(...PAYLOADS), fc.boolean()).map(([k, payload, reuse]) =>
    command(`acquire(${k}, ${payload}, reuse ${reuse})`, async (world) => {
      const key = world.keys[k] as string;
      const issued = world.tokens.get(key) ?? [];
      const token = reuse && issued.length > 0 ? (issued[issued.length - 1] as string) : crypto.randomUUID();
      if (!issued.includes(token)) world.tokens.set(key, [...issued, token]);
      const now = await at(world, key);
      const leaseMs = 4 * world.unitMs;
      const expiresAfterMs = 12 * world.unitMs;
      const expected = world.model.acquire(key, token, leaseMs, expiresAfterMs, payload, now);
      const actual = await world.layer.acquire({ key, leaseToken: token, leaseMs, expiresAfterMs, ...(payload === undefined ? {} : { payloadHash: payload }), now });
      expect(actual.acquired).toBe(expected.acquired);
      if (actual.acquired && expected.acquired) expect(actual.steps).toEqual(expected.steps);
      if (!actual.acquired && !expected.acquired) expectRecord(world, actual.record, expected.record);
      if (expected.acquired) await adoptStoreInstants(world, key);
    }),
  ),
  fc.tuple(keyIndex, tokenIndex, fc.constantFrom('', 'done', 'null')).map(([k, t, response]) =>
    command(`complete(${k}, token ${t}, ${JSON.stringify(response)})`, async (world) => {
      const key = world.keys[k] as string;
      const now = await at(world, key);
      const token = tokenOf(world, key, t);
      const expected = world.model.complete(key, token, response, now);
      expect(await world.layer.complete({ key, leaseToken: token, response, now })).toBe(expected);
    }),
  ),
  fc.tuple(keyIndex, tokenIndex).map(([k, t]) =>
    command(`release(${k}, token ${t})`, async (world) => {
      const key = world.keys[k] as string;
      const now = await at(world, key);
      const token = tokenOf(world, key, t);
      const expected = world.model.release(key, token, now);
      expect(await world.layer.release({ key, leaseToken: token, now })).toBe(expected);
      if (expected) await adoptStoreInstants(world, key);
    }),
  ),
  fc.tuple(keyIndex, tokenIndex, fc.integer({ min: 1, max: 14 })).map(([k, t, units]) =>
    command(`extend(${k}, token ${t}, ${units} units)`, async (world) => {
      const key = world.keys[k] as string;
      const now = await at(world, key);
      const token = tokenOf(world, key, t);
      const expected = world.model.extend(key, token, units * world.unitMs, now);
      expect(await world.layer.extend({ key, leaseToken: token, leaseMs: units * world.unitMs, now })).toBe(expected);
      if (expected) await adoptStoreInstants(world, key);
    }),
  ),
  fc.tuple(keyIndex, tokenIndex, fc.constantFrom(...STEP_NAMES), fc.constantFrom('r1', '0', '')).map(([k, t, name, result]) =>
    command(`saveStep(${k}, token ${t}, ${name})`, async (world) => {
      const key = world.keys[k] as string;
      const now = await at(world, key);
      const token = tokenOf(world, key, t);
      const expected = world.model.saveStep(key, token, name, result, now);
      expect(await world.layer.saveStep({ key, leaseToken: token, name, result, now })).toBe(expected);
    }),
  ),
  keyIndex.map((k) =>
    command(`get(${k})`, async (world) => {
      const key = world.keys[k] as string;
      const now = await at(world, key);
      expectRecord(world, await world.layer.get({ key, now }), world.model.live(key, now));
    }),
  ),
  keyIndex.map((k) =>
    command(`delete(${k})`, async (world) => {
      const key = world.keys[k] as string;
      world.model.delete(key);
      await world.layer.delete({ key });
    }),
  ),
  // Whole units, so that an injected clock lands exactly on lease and expiry boundaries.
  fc.integer({ min: 1, max: 5 }).map((units) =>
    command(`advance(${units} units)`, async (world) => {
      await world.clock.advance(units * unitMs);
    }),
  ),
];

/**
 * Registers a property test: random sequences of contract calls and passing time, run against
 * the layer and against {@link ContractModel}, must return the same results and records.
 */
export function runContractModel(options: ContractModelOptions): void {
  it(`${options.name} agrees with the contract model`, async () => {
    const layer = await options.create();
    const store = layer.traits.clock === 'store';
    const unitMs = store ? (options.timeUnitMs ?? 40) : CALLER_UNIT_MS;
    const prefix = `model-${crypto.randomUUID()}`;
    let sequence = 0;

    await fc.assert(
      fc.asyncProperty(fc.commands(commands(unitMs), { maxCommands: options.maxCommands, size: 'max' }), async (sequenceCommands) => {
        sequence++;
        const keys = [`${prefix}#${sequence}-a`, `${prefix}#${sequence}-b`];
        const world: World = {
          model: new ContractModel(),
          layer,
          clock: store ? realClock(Math.max(10, Math.floor(unitMs / 3))) : injectedClock(),
          keys,
          tokens: new Map(),
          unitMs,
        };
        try {
          await fc.asyncModelRun(() => ({ model: world, real: world }), sequenceCommands);
        } finally {
          await Promise.all(keys.map((key) => world.layer.delete({ key })));
        }
      }),
      { numRuns: options.runs },
    );
  }, options.timeoutMs ?? 60_000);
}
