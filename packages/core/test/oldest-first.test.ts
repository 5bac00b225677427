import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { OldestFirst } from '../src/oldest-first.js';

describe('OldestFirst', () => {
  it('deletes keys in insertion order', () => {
    const entries = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const oldest = new OldestFirst(entries);

    expect(oldest.deleteOldest()).toBe('a');
    expect(oldest.deleteOldest()).toBe('b');
    expect([...entries.keys()]).toEqual(['c']);
  });

  it('returns undefined when empty', () => {
    const oldest = new OldestFirst(new Set<string>());

    expect(oldest.deleteOldest()).toBeUndefined();
  });

  it('treats a key added again as the newest', () => {
    const keys = new Set(['a', 'b']);
    const oldest = new OldestFirst(keys);
    keys.delete('a');
    keys.add('a');

    expect(oldest.deleteOldest()).toBe('b');
    expect(oldest.deleteOldest()).toBe('a');
  });

  it('finds keys added after it emptied the collection', () => {
    const keys = new Set(['a']);
    const oldest = new OldestFirst(keys);
    oldest.deleteOldest();
    expect(oldest.deleteOldest()).toBeUndefined();

    keys.add('b');

    expect(oldest.deleteOldest()).toBe('b');
  });

  it('matches an insertion-order model under any operations', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('touch' as const), key }),
      fc.record({ kind: fc.constant('evict' as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const entries = new Map<string, number>();
        const oldest = new OldestFirst(entries);
        const model: string[] = [];
        for (const step of operations) {
          if (step.kind === 'evict') {
            expect(oldest.deleteOldest()).toBe(model.shift());
          } else if (step.kind === 'add' && !entries.has(step.key)) {
            entries.set(step.key, 1);
            model.push(step.key);
          } else if (step.kind === 'delete') {
            entries.delete(step.key);
            if (model.includes(step.key)) model.splice(model.indexOf(step.key), 1);
          } else if (step.kind === 'touch' && entries.has(step.key)) {
            // A local cache hit: delete and set again, which makes the key the newest.
            entries.delete(step.key);
            entries.set(step.key, 2);
            model.splice(model.indexOf(step.key), 1);
            model.push(step.key);
          }
          expect([...entries.keys()]).toEqual(model);
        }
      }),
      { numRuns: 500 },
    );
  });
});
