import {
  IdempotencyConfigError,
  IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyPersistenceError,
  IdempotencySerializationError,
} from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

describe('errors', () => {
  it.each([
    [new IdempotencyInProgressError('m', { retryAfterMs: 1500 }), 'IN_PROGRESS', 409, true],
    [new IdempotencyPayloadMismatchError('m'), 'PAYLOAD_MISMATCH', 422, true],
    [new IdempotencyKeyMissingError('m'), 'KEY_MISSING', 400, true],
    [new IdempotencyKeyInvalidError('m'), 'KEY_INVALID', 400, true],
    [new IdempotencyPersistenceError('m', { cause: new Error('down') }), 'PERSISTENCE', 503, false],
    [new IdempotencySerializationError('m', { reason: 'too-large' }), 'SERIALIZATION', 500, false],
    [new IdempotencyLeaseLostError('m'), 'LEASE_LOST', 409, true],
    [new IdempotencyConfigError('m'), 'CONFIG', 500, false],
  ])('%s has a stable code, status and name', (error, code, statusCode, expose) => {
    expect(error).toBeInstanceOf(IdempotencyError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(statusCode);
    expect(error.expose).toBe(expose);
    expect(error.name).toBe(error.constructor.name);
    expect(IdempotencyError.is(error)).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new IdempotencyPersistenceError('store down', { cause }).cause).toBe(cause);
  });

  it('rounds retry-after up to whole seconds', () => {
    expect(new IdempotencyInProgressError('m', { retryAfterMs: 1 }).retryAfterSeconds).toBe(1);
    expect(new IdempotencyInProgressError('m', { retryAfterMs: 1001 }).retryAfterSeconds).toBe(2);
    expect(new IdempotencyInProgressError('m', { retryAfterMs: 0 }).retryAfterSeconds).toBe(1);
    expect(new IdempotencyInProgressError('m', { retryAfterMs: -5 }).retryAfterMs).toBe(0);
  });

  it('tells error classes apart with is()', () => {
    const mismatch = new IdempotencyPayloadMismatchError('m');

    expect(IdempotencyPayloadMismatchError.is(mismatch)).toBe(true);
    expect(IdempotencyInProgressError.is(mismatch)).toBe(false);
    expect(IdempotencyError.is(new Error('plain'))).toBe(false);
    expect(IdempotencyError.is({ code: 'PAYLOAD_MISMATCH' })).toBe(false);
    expect(IdempotencyError.is(undefined)).toBe(false);
  });

  it('recognises errors from another copy of the package', async () => {
    // A query string makes Vite load a second instance of the module, as a second package copy would be.
    const copyPath = '../src/errors.ts?copy=1';
    const copy = (await import(/* @vite-ignore */ copyPath)) as typeof import('../src/errors.js');
    const foreign = new copy.IdempotencyInProgressError('m', { retryAfterMs: 10 });

    expect(foreign instanceof IdempotencyInProgressError).toBe(false);
    expect(IdempotencyInProgressError.is(foreign)).toBe(true);
    expect(IdempotencyError.is(foreign)).toBe(true);
    expect(IdempotencyPayloadMismatchError.is(foreign)).toBe(false);
  });
});
