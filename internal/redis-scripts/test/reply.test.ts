import { describe, expect, it } from 'vitest';

import { REPLY_STRING_PREFIX, recordScripts, ScriptReplyError } from '../src/index.js';

const request = { key: 'orders#abc', leaseToken: 't-1', leaseMs: 100, expiresAfterMs: 1000, now: 0 };

/** Adds the reply prefix to every string, as the scripts do. */
function prefixed(...items: (string | number)[]): (string | number)[] {
  return items.map((item) => (typeof item === 'string' ? REPLY_STRING_PREFIX + item : item));
}

function decodeError(decode: () => unknown): unknown {
  try {
    decode();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('acquire reply', () => {
  it('decodes a new claim without steps', () => {
    expect(recordScripts.acquire.decode([1], request)).toEqual({ acquired: true, steps: {} });
  });

  it('decodes the steps of a taken-over claim', () => {
    const reply = prefixed(1, 'step:charge', 'c1', 'step:', 'empty name', 'step:step:x', '');

    expect(recordScripts.acquire.decode(reply, request)).toEqual({
      acquired: true,
      steps: { charge: 'c1', '': 'empty name', 'step:x': '' },
    });
  });

  it('decodes the blocking record', () => {
    const reply = prefixed(0, 'status', 'COMPLETED', 'expiresAt', '1700000060000', 'leaseExpiresAt', '1700000001000', 'leaseToken', '007', 'payloadHash', 'h', 'response', 'null', 'step:a', '1');

    expect(recordScripts.acquire.decode(reply, request)).toEqual({
      acquired: false,
      record: {
        key: 'orders#abc',
        status: 'COMPLETED',
        expiresAt: 1_700_000_060_000,
        leaseExpiresAt: 1_700_000_001_000,
        leaseToken: '007',
        payloadHash: 'h',
        response: 'null',
        steps: { a: '1' },
      },
    });
  });

  it('leaves out fields the record does not have', () => {
    const reply = prefixed(0, 'status', 'IN_PROGRESS', 'expiresAt', '2000', 'leaseExpiresAt', '1500', 'leaseToken', 't');

    const result = recordScripts.acquire.decode(reply, request);

    const record = result.acquired ? undefined : result.record;
    expect(record).toBeDefined();
    expect(record).not.toHaveProperty('payloadHash');
    expect(record).not.toHaveProperty('response');
    expect(record?.steps).toEqual({});
  });

  it('rejects a reply without the leading flag', () => {
    expect(decodeError(() => recordScripts.acquire.decode(prefixed('status', 'IN_PROGRESS'), request))).toBeInstanceOf(ScriptReplyError);
    expect(decodeError(() => recordScripts.acquire.decode(null, request))).toBeInstanceOf(ScriptReplyError);
  });
});

describe('get reply', () => {
  it('decodes an empty list as no record', () => {
    expect(recordScripts.get.decode([], { key: 'k', now: 0 })).toBeUndefined();
  });

  it('rejects strings without the prefix', () => {
    // What a client that JSON-parses replies, or one that drops the prefix, would hand over.
    const reply = ['status', 'IN_PROGRESS', 'expiresAt', 2000, 'leaseExpiresAt', 1500, 'leaseToken', 't'];

    expect(decodeError(() => recordScripts.get.decode(reply, { key: 'k', now: 0 }))).toBeInstanceOf(ScriptReplyError);
  });

  it('rejects an odd number of items', () => {
    expect(decodeError(() => recordScripts.get.decode(prefixed('status'), { key: 'k', now: 0 }))).toBeInstanceOf(ScriptReplyError);
  });

  it('rejects records with a wrong field', () => {
    const valid = ['status', 'IN_PROGRESS', 'expiresAt', '2000', 'leaseExpiresAt', '1500', 'leaseToken', 't'];
    const broken: [string, string[]][] = [
      ['unknown status', ['status', 'DONE', ...valid.slice(2)]],
      ['fractional expiresAt', [...valid.slice(0, 2), 'expiresAt', '2000.5', ...valid.slice(4)]],
      ['exponent leaseExpiresAt', [...valid.slice(0, 4), 'leaseExpiresAt', '1e3', ...valid.slice(6)]],
      ['huge expiresAt', [...valid.slice(0, 2), 'expiresAt', '99999999999999999999', ...valid.slice(4)]],
      ['missing leaseToken', valid.slice(0, 6)],
    ];

    for (const [label, fields] of broken) {
      const error = decodeError(() => recordScripts.get.decode(prefixed(...fields), { key: 'k', now: 0 }));
      expect(error, label).toBeInstanceOf(ScriptReplyError);
    }
  });

  it('never puts stored content in its messages', () => {
    const reply = [`${REPLY_STRING_PREFIX}status`, 'secret-response-text'];

    const error = decodeError(() => recordScripts.get.decode(reply, { key: 'k', now: 0 })) as Error;

    expect(error.message).not.toContain('secret');
  });
});

describe('flag reply', () => {
  it('decodes 1 and 0 and rejects anything else', () => {
    const complete = { key: 'k', leaseToken: 't', response: 'r', now: 0 };
    expect(recordScripts.complete.decode(1, complete)).toBe(true);
    expect(recordScripts.complete.decode(0, complete)).toBe(false);
    for (const reply of ['1', null, true, 2, []]) {
      expect(decodeError(() => recordScripts.complete.decode(reply, complete))).toBeInstanceOf(ScriptReplyError);
    }
  });
});

describe('script arguments', () => {
  it('sends the payload hash only when there is one', () => {
    expect(recordScripts.acquire.arguments(request)).toEqual(['t-1', '100', '1000']);
    expect(recordScripts.acquire.arguments({ ...request, payloadHash: '' })).toEqual(['t-1', '100', '1000', '']);
  });

  it('gives every script a distinct command name', () => {
    const names = Object.values(recordScripts).map((script) => script.commandName);

    expect(new Set(names).size).toBe(names.length);
  });
});
