import type { AcquireRequest, PersistenceLayer, PersistenceTraits } from '../types.js';

/**
 * Options of {@link runPersistenceConformance}.
 *
 * @example
 * ```ts
 * runPersistenceConformance({
 *   name: 'MyStore',
 *   create: () => MyPersistenceLayer.fromUrl(process.env.MY_STORE_URL),
 *   storeTtlMs: (key) => myClient.pttl(`idem:${key}`),
 * });
 * ```
 */
export interface ConformanceOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** Returns the layer under test; called once, and closed with `close()` after the suite. */
  readonly create: () => PersistenceLayer | Promise<PersistenceLayer>;
  /**
   * For store-clock layers: the time unit of the real waits, in ms. Leases are 4 units and
   * records live 40 units. Default 50.
   */
  readonly timeUnitMs?: number;
  /**
   * Reads the store's native TTL of a record, in ms from `now` (`undefined` when the key is
   * absent, -1 when it has none). `now` is the suite's clock, epoch ms, for stores whose TTL is
   * an instant. When given, the suite checks that every write leaves a TTL no later than the
   * record's expiry.
   */
  readonly storeTtlMs?: (key: string, now: number) => Promise<number | undefined>;
}

/** The clock of the tests: injected instants for caller-clock layers, real waits for store-clock ones. */
export interface SuiteTime {
  /** The `now` to pass with the next call. */
  now(): number;
  /** Lets `ms` pass: moves the injected clock, or sleeps. */
  advance(ms: number): Promise<void>;
  /** Largest gap expected between the suite's instants and the store's, in ms. */
  readonly toleranceMs: number;
}

/** The context that each group of conformance tests receives. */
export interface SuiteContext {
  layer(): PersistenceLayer;
  traits(): PersistenceTraits;
  time(): SuiteTime;
  /** A fresh key for one test, under a random prefix; deleted after the test. */
  key(label?: string): string;
  token(): string;
  /** The suite's time unit in ms: 1000 on an injected clock, `timeUnitMs` on a real one. */
  readonly unitMs: number;
  /** Lease length in ms: 4 units. */
  readonly leaseMs: number;
  /** Record lifetime in ms: 20 units. */
  readonly expiresAfterMs: number;
  /** Durations for a record that expires soon: 6 units, with the usual lease. */
  shortExpiry(): { readonly expiresAfterMs: number; readonly leaseMs: number };
  /** An acquire request for `key` with fresh token and the suite's durations. */
  acquireRequest(key: string, overrides?: Partial<AcquireRequest>): AcquireRequest;
  readonly storeTtlMs: ConformanceOptions['storeTtlMs'];
}

/** Injected instants: nothing waits, and the layer receives exactly the instants the suite chose. */
export class InjectedTime implements SuiteTime {
  readonly toleranceMs = 0;
  #now = Date.now();

  now(): number {
    return this.#now;
  }

  async advance(ms: number): Promise<void> {
    this.#now += ms;
  }
}

/** Real time, for layers that read the store's clock: `advance` sleeps. */
export class RealTime implements SuiteTime {
  readonly toleranceMs: number;

  constructor(toleranceMs: number) {
    this.toleranceMs = toleranceMs;
  }

  now(): number {
    return Date.now();
  }

  advance(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
