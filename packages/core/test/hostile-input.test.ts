import { IdempotencyKeyInvalidError, MemoryPersistenceLayer, makeIdempotent } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

function keyedByWholeInput(persistence = new MemoryPersistenceLayer()) {
  let runs = 0;
  const fn = makeIdempotent(async (_event: unknown) => ++runs, { persistence, namespace: 'hostile', logger: false });
  return { fn, persistence, runs: () => runs };
}

describe('hostile input', () => {
  it('keys a 10 MB event and replays it', async () => {
    const { fn, runs } = keyedByWholeInput();
    const event = { body: 'x'.repeat(10 * 1024 * 1024), headers: { 'content-type': 'text/plain' } };

    await fn(event);
    await fn({ ...event });

    expect(runs()).toBe(1);
  });

  it.each([
    ['a cycle', (() => {
      const event: Record<string, unknown> = { id: 1 };
      event.self = event;
      return event;
    })()],
    ['a BigInt', { amount: 10n }],
    ['a function', { callback: () => 1 }],
    ['a Map', { items: new Map([[1, 2]]) }],
    ['NaN', { rate: Number.NaN }],
  ])('rejects an event with %s before anything is stored', async (_label, event) => {
    const { fn, persistence, runs } = keyedByWholeInput();

    const error = await fn(event).catch((thrown: unknown) => thrown);

    expect(IdempotencyKeyInvalidError.is(error)).toBe(true);
    expect(runs()).toBe(0);
    expect(persistence.size).toBe(0);
  });

  it.each([
    ['colons and hashes', 'a:b#c'],
    ['unicode', 'ключ-🧾-鍵'],
    ['a NUL byte', 'a\u0000b'],
    ['newlines', 'a\nb\r\n'],
    ['an empty string', ''],
  ])('keeps keys with %s apart from their neighbours', async (_label, key) => {
    const persistence = new MemoryPersistenceLayer();
    let runs = 0;
    const fn = makeIdempotent(async (event: { key: string }) => `${event.key} ${++runs}`, {
      persistence,
      namespace: 'odd-keys',
      key: (event) => event.key,
      logger: false,
    });

    const first = await fn({ key });
    const neighbour = await fn({ key: `${key} ` });
    const again = await fn({ key });

    expect(again).toBe(first);
    expect(neighbour).not.toBe(first);
    expect(runs).toBe(2);
  });

  it('keeps __proto__ and constructor members as data', async () => {
    const { fn, runs } = keyedByWholeInput();
    const polluting = JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}');

    await fn(polluting);
    await fn(JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}'));
    await fn(JSON.parse('{"__proto__":{"isAdmin":false}}'));

    expect(runs()).toBe(2);
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });
});
