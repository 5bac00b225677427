import { describe, expect, it } from 'vitest';

import { ClaimFootprints } from '../src/claim-footprints.js';
import { resolveOptions } from '../src/options.js';

const footprint = (leaseToken: string) => ({ leaseToken, payloadHash: undefined, expiresAt: 2_000, leaseExpiresAt: 1_500 });

describe('ClaimFootprints', () => {
  it('drops the older half past 10,000 open claims', () => {
    const footprints = new ClaimFootprints(resolveOptions({ tableName: 'idempotency' }));
    for (let index = 0; index <= 10_000; index++) footprints.remember(`key-${index}`, footprint(`token-${index}`), {});

    expect(footprints.find('key-0', 'token-0')).toBeUndefined();
    expect(footprints.find('key-5000', 'token-5000')).toBeUndefined();
    expect(footprints.find('key-5001', 'token-5001')).toBeDefined();
    expect(footprints.find('key-10000', 'token-10000')).toBeDefined();
  });

  it('keeps a claim remembered again as the newest', () => {
    const footprints = new ClaimFootprints(resolveOptions({ tableName: 'idempotency' }));
    for (let index = 0; index < 10_000; index++) footprints.remember(`key-${index}`, footprint(`token-${index}`), {});
    footprints.remember('key-0', footprint('token-0b'), {});
    footprints.remember('key-10000', footprint('token-10000'), {});

    expect(footprints.find('key-0', 'token-0b')).toBeDefined();
    expect(footprints.find('key-1', 'token-1')).toBeUndefined();
  });
});
