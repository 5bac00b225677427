import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { sha256Node } from '../src/hash/node.js';
import { sha256Web } from '../src/hash/web.js';

describe('SHA-256', () => {
  it('matches a known digest', async () => {
    // SHA-256("abc"), from FIPS 180-2, as base64url without padding.
    const expected = 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0';

    expect(sha256Node('abc')).toBe(expected);
    expect(await sha256Web('abc')).toBe(expected);
  });

  it('gives the same digest with node:crypto and Web Crypto', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), async (text) => {
        expect(await sha256Web(text)).toBe(sha256Node(text));
      }),
    );
  });
});
