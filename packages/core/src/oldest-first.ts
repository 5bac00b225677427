/**
 * An eviction cursor over a Map or Set: it deletes the oldest keys, in insertion order, in
 * amortized constant time.
 *
 * `collection.keys().next()` starts at the front of the hash table on every call. V8 leaves each
 * deleted entry in place until the table is rebuilt, so the call walks over every eviction made
 * since then. On Node.js 22, evicting that way from a full Set of 10,000 keys took about 8 µs per
 * key, against 0.3 µs with a live iterator. This class keeps one live iterator. Every key it
 * returns is deleted at once, so the iterator never has a live key behind it, and keys added
 * later (or deleted and added again) come after it.
 *
 * @example
 * ```ts
 * const entries = new Map<string, number>();
 * const oldest = new OldestFirst(entries);
 * if (entries.size > maxItems) oldest.deleteOldest();
 * ```
 */
export class OldestFirst<K> {
  readonly #collection: Map<K, unknown> | Set<K>;
  #cursor: Iterator<K> | undefined;

  constructor(collection: Map<K, unknown> | Set<K>) {
    this.#collection = collection;
  }

  /** Deletes the oldest key and returns it, or returns undefined when the collection is empty. */
  deleteOldest(): K | undefined {
    let step = this.#cursor?.next();
    // An iterator that has reported the end stays ended, even after new keys are added.
    if (step === undefined || step.done === true) {
      this.#cursor = this.#collection.keys();
      step = this.#cursor.next();
    }
    if (step.done === true) return undefined;
    this.#collection.delete(step.value);
    return step.value;
  }
}
