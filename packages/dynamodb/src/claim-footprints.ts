import { itemBytes, mapBytes, mapEntryBytes, type StoredValue, utf8ByteLength } from './item-size.js';
import type { ResolvedOptions } from './options.js';
import { itemKey, ttlSeconds } from './record-item.js';

/** The facts about a claim that this layer acquired, for the size check: its fields and the size of each step. */
export interface ClaimFootprint {
  readonly leaseToken: string;
  readonly payloadHash: string | undefined;
  readonly expiresAt: number;
  leaseExpiresAt: number;
  /** Bytes of each stored step as a map entry, by step name. */
  readonly stepBytes: Map<string, number>;
}

/** The change a write makes to a claim, for {@link ClaimFootprints.itemBytesAfter}. */
export type ClaimChange =
  | { readonly kind: 'complete'; readonly response: string }
  | { readonly kind: 'saveStep'; readonly name: string; readonly result: string };

// A process has few claims open at once (a Lambda instance has one), so the bound only stops a
// leak when claims are never settled. An evicted claim is checked by DynamoDB alone.
const MAX_FOOTPRINTS = 10_000;

/**
 * The claims this layer acquired and has not settled yet, by record key. A claim's steps may have
 * been stored by an earlier owner or another process, so the size of an item can only be known as
 * far as this process saw it; DynamoDB's own limit check stays the backstop.
 */
export class ClaimFootprints {
  readonly #options: ResolvedOptions;
  readonly #claims = new Map<string, ClaimFootprint>();

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** Records a claim this layer just acquired, with the steps it received. */
  remember(key: string, footprint: Omit<ClaimFootprint, 'stepBytes'>, steps: Readonly<Record<string, string>>): void {
    const stepBytes = new Map<string, number>();
    for (const [name, result] of Object.entries(steps)) stepBytes.set(name, mapEntryBytes(name, result));
    this.#claims.delete(key);
    this.#claims.set(key, { ...footprint, stepBytes });
    if (this.#claims.size > MAX_FOOTPRINTS) this.#dropOldestHalf();
  }

  /**
   * Drops the older half of the claims in one pass. Dropping one claim per call would start at
   * the front of the Map each time and walk over every entry deleted before it. Past the bound,
   * each call would then cost time in proportion to the claims settled since the Map was rebuilt.
   */
  #dropOldestHalf(): void {
    let excess = this.#claims.size - MAX_FOOTPRINTS / 2;
    for (const key of this.#claims.keys()) {
      if (excess-- <= 0) return;
      this.#claims.delete(key);
    }
  }

  /** Returns the footprint of the claim on `key` while the claim is still `leaseToken`'s. */
  find(key: string, leaseToken: string): ClaimFootprint | undefined {
    const footprint = this.#claims.get(key);
    return footprint?.leaseToken === leaseToken ? footprint : undefined;
  }

  addStep(key: string, leaseToken: string, name: string, result: string): void {
    this.find(key, leaseToken)?.stepBytes.set(name, mapEntryBytes(name, result));
  }

  /** Drops the claim on `key`; with `leaseToken`, only while the claim is that token's. */
  forget(key: string, leaseToken?: string): void {
    if (leaseToken === undefined || this.find(key, leaseToken) !== undefined) this.#claims.delete(key);
  }

  /**
   * Computes the size of the item after `change`, in bytes, as DynamoDB counts it. Without a
   * footprint it counts the fields it can derive and no steps, with `now` in place of the
   * instants, which have the same number of digits.
   */
  itemBytesAfter(key: string, leaseToken: string, now: number, change: ClaimChange): number {
    const names = this.#options.attributeNames;
    const footprint = this.find(key, leaseToken);
    const expiresAt = footprint?.expiresAt ?? now;

    const item: Record<string, StoredValue> = {
      ...itemKey(this.#options, key),
      [names.status]: change.kind === 'complete' ? 'COMPLETED' : 'IN_PROGRESS',
      [names.expiresAt]: expiresAt,
      [names.expiresAtSeconds]: ttlSeconds(expiresAt),
      [names.leaseExpiresAt]: footprint?.leaseExpiresAt ?? now,
      [names.leaseToken]: leaseToken,
    };
    if (footprint?.payloadHash !== undefined) item[names.payloadHash] = footprint.payloadHash;
    if (change.kind === 'complete') item[names.response] = change.response;

    const steps = new Map(footprint?.stepBytes);
    if (change.kind === 'saveStep') steps.set(change.name, mapEntryBytes(change.name, change.result));
    let stepsBytes = 0;
    for (const bytes of steps.values()) stepsBytes += bytes;

    return itemBytes(item) + utf8ByteLength(names.steps) + mapBytes(stepsBytes);
  }
}
