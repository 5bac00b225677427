import { OldestFirst } from './oldest-first.js';
import type { IdempotencyRecord } from './types.js';

/** A completed record as the local cache keeps it. */
export interface CachedRecord {
  readonly response: string;
  readonly payloadHash: string | undefined;
  /** Epoch ms; the entry is dropped at this instant, like the record. */
  readonly expiresAt: number;
}

/**
 * Completed records kept in the process so that a replay needs no store round trip. Least
 * recently used entries go first once `maxItems` is reached; an entry is never served past the
 * record's expiry.
 */
export class LocalCache {
  readonly #maxItems: number;
  readonly #entries = new Map<string, CachedRecord>();
  readonly #leastRecentlyUsed = new OldestFirst(this.#entries);

  constructor(maxItems: number) {
    this.#maxItems = maxItems;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now: number): CachedRecord | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    // Re-inserting moves the entry to the end of the Map's order: most recently used.
    this.#entries.set(key, entry);
    return entry;
  }

  /** Keeps a COMPLETED record; other records are ignored. */
  remember(record: IdempotencyRecord): void {
    if (record.status !== 'COMPLETED' || record.response === undefined) return;
    this.set(record.key, { response: record.response, payloadHash: record.payloadHash, expiresAt: record.expiresAt });
  }

  set(key: string, entry: CachedRecord): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxItems) this.#leastRecentlyUsed.deleteOldest();
  }
}
