import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { PersistenceLayer } from '@idemkit/idempotency-core';

import type { LibraryUnderTest } from '../libraries/library.ts';
import type { FloorPath } from '../phases/floors.ts';

/** One store round trip with no idempotency around it: the baseline of the ratios. */
export interface BareOperation {
  /** The client and command, for example `ioredis SET`. */
  readonly label: string;
  run(index: number): Promise<unknown>;
}

/** The count a {@link RoundTripCounter} took since its last reset. */
export interface RoundTripCount {
  /** Requests clients sent to the store. */
  readonly requests: number;
  /** Redis only: every command the server ran, those inside scripts included (INFO commandstats). */
  readonly serverCommands?: number;
}

/** Requests the store received, counted at the server or by an SDK middleware. */
export interface RoundTripCounter {
  /** The counting method, for the report. */
  readonly method: string;
  /** Starts a new count from zero. */
  reset(): Promise<void>;
  read(): Promise<RoundTripCount>;
}

/** One library on a store, with the bare operation of the client it uses. */
export interface StoreLibrary {
  readonly library: LibraryUnderTest;
  readonly bare: BareOperation | undefined;
}

/** A record that an idemkit call completed: its core key and the response it stored. */
export interface CompletedRecord {
  readonly key: string;
  readonly response: string;
}

/** A store operation that a first call or a replay needs at least, timed on its own. */
export interface FloorOperation {
  readonly label: string;
  readonly path: FloorPath;
  /** `whole call` for idemkit's whole call, timed beside the floors for comparison. */
  readonly kind: 'floor' | 'whole call';
  /** Runs the operation once; `suffix` is new on every call, for operations that need a new key. */
  run(suffix: string): Promise<unknown>;
}

/** The inputs of the floors phase from a store: idemkit's layer, its client's bare round trip, and the store's raw floors. */
export interface StoreFloors {
  readonly bare: BareOperation;
  readonly layer: PersistenceLayer;
  /** Raw commands on idemkit's client, for the record that `layer` completed. */
  raw(record: CompletedRecord): readonly FloorOperation[];
}

/** A store the bench runs against, with the servers it started. */
export interface OpenStore {
  readonly name: string;
  /** The server and how it was started, for the report; without the port, which changes every run. */
  readonly server: string;
  /** The libraries that run on it. A library without a layer for this store, or whose package has no sources yet, is left out. */
  readonly libraries: readonly StoreLibrary[];
  /** Reasons a library is left out, each starting with the library's name. */
  readonly notes: readonly string[];
  /** Undefined for the memory store, which makes no round trips. */
  readonly roundTrips: RoundTripCounter | undefined;
  /** Undefined for the memory store, and for a store whose idemkit package has no sources. */
  readonly floors: StoreFloors | undefined;
  /** Closes clients and stops the servers it started, by process id. */
  close(): Promise<void>;
}

/**
 * Returns idemkit's entry for a store, set up by `wire`, when the workspace package
 * `packages/<directory>` has sources. Otherwise returns none and adds a note about the missing package.
 */
export async function idemkitWhenAvailable(directory: string, notes: string[], wire: () => Promise<StoreLibrary>): Promise<StoreLibrary[]> {
  if (existsSync(fileURLToPath(new URL(`../../../packages/${directory}/src/index.ts`, import.meta.url)))) return [await wire()];
  notes.push(`idemkit: packages/${directory} has no sources yet.`);
  return [];
}
