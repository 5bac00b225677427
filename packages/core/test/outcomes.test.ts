import { type IdempotencyOutcomeType, MemoryPersistenceLayer, makeIdempotent } from '@idemkit/idempotency-core';
import { describe, expect, it, vi } from 'vitest';

import { RecordingLogger, deferred } from './support.js';

const SECRET_PAYLOAD = 'card-4242424242424242';
const SECRET_RESULT = 'charge-result-secret';

describe('outcome hook and logs', () => {
  it('reports every outcome of a call', async () => {
    const outcomes: IdempotencyOutcomeType[] = [];
    const gate = deferred();
    let calls = 0;
    const fn = makeIdempotent(
      async (event: { id: string; cents: number }) => {
        calls++;
        if (event.cents < 0) throw new Error('negative');
        if (calls === 1) await gate.promise;
        return event.cents;
      },
      {
        persistence: new MemoryPersistenceLayer(),
        namespace: 'outcomes',
        key: (event) => event.id,
        payload: (event) => event.cents,
        onOutcome: (outcome) => outcomes.push(outcome.type),
      },
    );

    const first = fn({ id: 'a', cents: 1 });
    await fn({ id: 'a', cents: 1 }).catch(() => undefined);
    gate.resolve();
    await first;
    await fn({ id: 'a', cents: 1 });
    await fn({ id: 'a', cents: 2 }).catch(() => undefined);
    await fn({ id: 'b', cents: -1 }).catch(() => undefined);

    expect(outcomes).toEqual(['acquired', 'inProgress', 'completed', 'replayed', 'payloadMismatch', 'acquired', 'released']);
  });

  it('goes on when the hook throws', async () => {
    const logger = new RecordingLogger();
    const fn = makeIdempotent(async (id: string) => id, {
      persistence: new MemoryPersistenceLayer(),
      namespace: 'hook-throws',
      logger,
      onOutcome: () => {
        throw new Error('metrics backend down');
      },
    });

    await expect(fn('x')).resolves.toBe('x');
    expect(logger.lines.some((line) => line.level === 'error' && /onOutcome/.test(line.message))).toBe(true);
  });

  it('never logs payloads or results on any path', async () => {
    const logger = new RecordingLogger();
    const persistence = new MemoryPersistenceLayer();
    const failing = { ...persistence, traits: persistence.traits, acquire: persistence.acquire.bind(persistence), complete: async () => false, release: async () => { throw new Error(SECRET_PAYLOAD); }, extend: persistence.extend.bind(persistence), saveStep: persistence.saveStep.bind(persistence), get: persistence.get.bind(persistence), delete: persistence.delete.bind(persistence), close: persistence.close.bind(persistence) };
    const fn = makeIdempotent(
      async (event: { card?: string; fail?: boolean }) => {
        if (event.fail) throw new Error(`declined ${SECRET_PAYLOAD}`);
        return SECRET_RESULT;
      },
      { persistence: failing, namespace: 'no-secrets', key: (event) => event.card, logger, onOutcome: () => { throw new Error(SECRET_RESULT); } },
    );

    await fn({ card: SECRET_PAYLOAD });
    await fn({ card: SECRET_PAYLOAD, fail: true }).catch(() => undefined);
    await fn({}).catch(() => undefined);

    expect(logger.lines.length).toBeGreaterThan(2);
    expect(logger.text()).not.toContain(SECRET_PAYLOAD);
    expect(logger.text()).not.toContain(SECRET_RESULT);
    expect(logger.text()).not.toContain('4242');
  });

  it('writes nothing with logger false', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fn = makeIdempotent(async (_event: unknown) => 1, { persistence: new MemoryPersistenceLayer(), namespace: 'silent', key: () => undefined, logger: false });

    await expect(fn({})).resolves.toBe(1);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('warns on the console by default, prefixed', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fn = makeIdempotent(async (_event: unknown) => 1, { persistence: new MemoryPersistenceLayer(), namespace: 'loud', key: () => undefined });

    await fn({});

    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[idemkit\] No idempotency key/);
    warn.mockRestore();
  });
});

describe('a failing logger', () => {
  it('never fails the call it reports on', async () => {
    const throwing = {
      warn: () => {
        throw new Error('log sink down');
      },
      error: () => {
        throw new Error('log sink down');
      },
    };
    const fn = makeIdempotent(async (_event: unknown) => 'ran', { persistence: new MemoryPersistenceLayer(), namespace: 'bad-logger', key: () => undefined, logger: throwing });

    await expect(fn({})).resolves.toBe('ran');
  });
});
