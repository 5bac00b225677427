import { IdempotencyConfigError, MemoryPersistenceLayer, type IdempotencyOptions, makeIdempotent } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

const persistence = new MemoryPersistenceLayer();

function configError(options: unknown): IdempotencyConfigError {
  try {
    makeIdempotent(async () => 1, options as IdempotencyOptions);
  } catch (error) {
    if (IdempotencyConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected makeIdempotent to reject the options');
}

describe('options', () => {
  it.each([
    ['missing options', undefined, /options must be an object/],
    ['missing persistence', {}, /persistence is required.*MemoryPersistenceLayer/],
    ['a persistence without methods', { persistence: {} }, /persistence must implement PersistenceLayer, but its acquire is undefined/],
    ['an unknown option', { persistence, expiresAfterSecond: 5 }, /Unknown option options\.expiresAfterSecond; valid options are: .*expiresAfterSeconds/],
    ['a negative expiry', { persistence, expiresAfterSeconds: -5 }, /expiresAfterSeconds must be a positive integer, got -5/],
    ['a fractional expiry', { persistence, expiresAfterSeconds: 1.5 }, /expiresAfterSeconds must be a positive integer, got 1.5/],
    ['a string lease', { persistence, leaseMs: '5000' }, /leaseMs must be a positive integer, got "5000"/],
    ['a heartbeat not shorter than the lease', { persistence, leaseMs: 1000, heartbeatMs: 1000 }, /heartbeatMs must be less than leaseMs \(1000\), got 1000/],
    ['a key that is not a function', { persistence, key: 'headers.idempotency-key' }, /key must be a function, got "headers.idempotency-key"/],
    ['an empty namespace', { persistence, namespace: '' }, /namespace must be a non-empty string/],
    ['a namespace with a newline', { persistence, namespace: 'a\nb' }, /without control characters/],
    ['a local cache without maxItems', { persistence, localCache: {} }, /localCache\.maxItems must be a positive integer, got undefined/],
    ['a local cache with an unknown key', { persistence, localCache: { maxItems: 1, ttl: 5 } }, /Unknown option localCache\.ttl/],
    ['a logger without warn', { persistence, logger: { info() {} } }, /logger must be false or have warn and error methods/],
    ['a serializer without deserialize', { persistence, serializer: { serialize: String } }, /serializer must have serialize\(value\) and deserialize\(text\)/],
    ['a wait without maxWaitMs', { persistence, inProgressWait: {} }, /inProgressWait\.maxWaitMs must be a positive integer, got undefined/],
    ['requireKey as a string', { persistence, requireKey: 'yes' }, /requireKey must be true or false, got "yes"/],
    ['a persistence with an unknown clock', { persistence: { ...bind(persistence), traits: { clock: 'wall' } } }, /traits\.clock must be "caller" or "store", got "wall"/],
  ])('rejects %s with a message naming option, value and fix', (_label, options, message) => {
    const error = configError(options);

    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(message);
  });

  it('accepts every documented option', () => {
    expect(() =>
      makeIdempotent(async (event: { id: string }) => event.id, {
        persistence,
        key: (event) => event.id,
        payload: (event) => event,
        scope: () => 'tenant',
        namespace: 'all-options',
        expiresAfterSeconds: 60,
        leaseMs: 10_000,
        requireKey: true,
        localCache: { maxItems: 10 },
        logger: false,
        clock: Date.now,
        onOutcome: () => undefined,
        inProgressWait: { maxWaitMs: 1_000, initialIntervalMs: 10, maxIntervalMs: 100 },
        failOpen: false,
        storeErrors: () => false,
        storeResult: () => true,
        heartbeatMs: 2_000,
      }),
    ).not.toThrow();
  });
});

function bind(layer: MemoryPersistenceLayer): Record<string, unknown> {
  const methods = ['acquire', 'complete', 'release', 'extend', 'saveStep', 'get', 'delete', 'close'] as const;
  return Object.fromEntries(methods.map((method) => [method, layer[method].bind(layer)]));
}
