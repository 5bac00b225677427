import { expect, it } from 'vitest';

import { IdempotencySerializationError } from '../errors.js';
import type { SuiteContext } from './context.js';

// Values that stores are known to mangle: numeric-looking text, JSON-looking text, words that
// drivers print for a missing value, unicode outside the BMP, combining marks, NUL, and ''.
const AWKWARD_STRINGS: readonly string[] = [
  '',
  '0',
  '12345678901234567890123',
  '1e3',
  '0123',
  '-0',
  'null',
  'None',
  'undefined',
  'true',
  'OK',
  '{"a":1}',
  '[1,2]',
  '"quoted"',
  'ünïcödé ✓ 🧾 \u05e9\u05dc\u05d5\u05dd e\u0301',
  'line\nbreak\ttab\r\n',
  'nul\u0000byte',
  'YmFzZTY0',
];

/** Registers the tests that every field reads back with the type and value it was written with. */
export function roundTripTests(suite: SuiteContext): void {
  it.each(AWKWARD_STRINGS.map((text) => [JSON.stringify(text), text]))('response %s reads back exactly', async (_label, text) => {
    const key = suite.key();
    const request = suite.acquireRequest(key, { payloadHash: text === '' ? 'h' : text });
    await suite.layer().acquire(request);
    await suite.layer().complete({ key, leaseToken: request.leaseToken, response: text, now: suite.time().now() });

    const record = await suite.layer().get({ key, now: suite.time().now() });
    const blocked = await suite.layer().acquire(suite.acquireRequest(key));

    expect(record?.response).toBe(text);
    expect(typeof record?.response).toBe('string');
    expect(blocked.acquired ? undefined : blocked.record.response).toBe(text);
  });

  it('step results and names read back exactly', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);
    const steps: Record<string, string> = {};
    for (const [index, text] of AWKWARD_STRINGS.entries()) {
      const name = `step ${index} ✓`;
      steps[name] = text;
      await suite.layer().saveStep({ key, leaseToken: request.leaseToken, name, result: text, now: suite.time().now() });
    }

    const record = await suite.layer().get({ key, now: suite.time().now() });

    expect(record?.steps).toEqual(steps);
  });

  it('payloadHash and numeric-looking tokens read back as strings', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key, { leaseToken: '00012345678901234567890', payloadHash: '1234567890123456789012345678901234567890123' });
    await suite.layer().acquire(request);

    const record = await suite.layer().get({ key, now: suite.time().now() });

    expect(record?.leaseToken).toBe('00012345678901234567890');
    expect(record?.payloadHash).toBe('1234567890123456789012345678901234567890123');
    expect(typeof record?.expiresAt).toBe('number');
    expect(typeof record?.leaseExpiresAt).toBe('number');
  });

  it('keys with unicode, separators and length read back', async () => {
    for (const label of ['ünï:cödé#🧾', 'with spaces/and\\slashes', 'x'.repeat(300)]) {
      const key = suite.key(label);
      const request = suite.acquireRequest(key);
      await suite.layer().acquire(request);
      const record = await suite.layer().get({ key, now: suite.time().now() });
      expect(record?.key).toBe(key);
      expect(record?.leaseToken).toBe(request.leaseToken);
    }
  });

  it('a 300 KB response reads back', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    // 150,000 one-byte and 50,000 three-byte characters: 300,000 bytes of UTF-8.
    const response = 'r'.repeat(150_000) + '✓'.repeat(50_000);
    await suite.layer().acquire(request);

    const completed = await suite.layer().complete({ key, leaseToken: request.leaseToken, response, now: suite.time().now() });

    expect(completed).toBe(true);
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.response?.length).toBe(response.length);
    expect(record?.response).toBe(response);
  });

  const limit = suite.traits().maxRecordBytes;
  if (limit === undefined) return;

  it('a response over the size limit is rejected before it is sent', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);

    const completing = suite.layer().complete({ key, leaseToken: request.leaseToken, response: 'x'.repeat(limit + 1), now: suite.time().now() });

    const error = await completing.then(() => undefined, (thrown: unknown) => thrown);
    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect((error as IdempotencySerializationError).reason).toBe('too-large');
    const record = await suite.layer().get({ key, now: suite.time().now() });
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.leaseToken).toBe(request.leaseToken);
  });

  it('a step result over the size limit is rejected', async () => {
    const key = suite.key();
    const request = suite.acquireRequest(key);
    await suite.layer().acquire(request);

    const saving = suite.layer().saveStep({ key, leaseToken: request.leaseToken, name: 'big', result: 'x'.repeat(limit + 1), now: suite.time().now() });

    const error = await saving.then(() => undefined, (thrown: unknown) => thrown);
    expect(IdempotencySerializationError.is(error)).toBe(true);
    expect((await suite.layer().get({ key, now: suite.time().now() }))?.steps).toEqual({});
  });
}
