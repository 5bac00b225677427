import { MemoryPersistenceLayer, type PersistenceLayer } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { idempotency, type IdempotencyMiddlewareOptions } from '../src/index.js';
import { albEvent, type EventInit, eventKinds, headerOf, httpApiEvent, problemOf, restApiEvent } from './events.js';
import { deferred, lambdaContext, middyMajors, settleMicrotasks } from './support.js';

type Respond = (event: Record<string, unknown>, runs: number) => unknown;

const created: Respond = (_event, runs) => ({
  statusCode: 201,
  headers: {
    'Content-Type': 'application/json',
    Date: 'Thu, 01 Jan 2026 00:00:00 GMT',
    Connection: 'keep-alive, X-Hop',
    'X-Hop': 'per-connection',
    'Keep-Alive': 'timeout=5',
    'Transfer-Encoding': 'chunked',
    'X-Run': String(runs),
  },
  multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
  cookies: ['session=abc'],
  body: JSON.stringify({ run: runs }),
  isBase64Encoded: false,
});

describe.each(middyMajors)('$name', ({ middy }) => {
  function setup(respond: Respond = created, options: Partial<IdempotencyMiddlewareOptions> = {}) {
    const persistence = (options.persistence as PersistenceLayer | undefined) ?? new MemoryPersistenceLayer();
    const state = { runs: 0, persistence };
    const handler = middy(async (event: Record<string, unknown>) => respond(event, ++state.runs)).use(
      idempotency({ persistence, namespace: 'http', http: true, logger: false, ...options }),
    );
    const invoke = (event: Record<string, unknown>): Promise<unknown> => handler(event, lambdaContext());
    return { state, invoke };
  }

  describe.each(eventKinds)('$kind', ({ event }) => {
    it('replay returns the stored response', async () => {
      const { state, invoke } = setup();
      const request: EventInit = { headers: { 'Idempotency-Key': 'k-1', 'Content-Type': 'application/json' }, body: '{"cents":500}' };

      const first = (await invoke(event(request))) as Record<string, unknown>;
      const replay = (await invoke(event(request))) as Record<string, unknown>;

      expect(state.runs).toBe(1);
      expect(first.headers).toHaveProperty('Date');
      expect(replay.statusCode).toBe(201);
      expect(replay.body).toBe('{"run":1}');
      expect(replay.isBase64Encoded).toBe(false);
      expect(replay.cookies).toEqual(['session=abc']);
      expect(replay.multiValueHeaders).toEqual({ 'Set-Cookie': ['a=1', 'b=2'] });
      expect(replay.headers).toEqual({ 'Content-Type': 'application/json', 'X-Run': '1', 'Idempotent-Replayed': 'true' });
      expect(headerOf(first, 'Idempotent-Replayed')).toBeUndefined();
    });

    it('base64 body fingerprints as its text', async () => {
      const { state, invoke } = setup();
      const headers = { 'Idempotency-Key': 'k-b64' };
      await invoke(event({ headers, body: '{"cents":500,"note":"ü"}' }));
      const replay = await invoke(event({ headers, body: '{"note":"ü","cents":500}', base64: true }));
      expect(headerOf(replay, 'Idempotent-Replayed')).toBe('true');
      expect(state.runs).toBe(1);
    });

    it('problems use the event header style', async () => {
      const { invoke } = setup(created, { requireKey: true });
      const response = (await invoke(event({ body: '{}' }))) as Record<string, unknown>;
      expect(response.statusCode).toBe(400);
      expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
    });
  });

  it('key header is case-insensitive', async () => {
    const { state, invoke } = setup();
    await invoke(restApiEvent({ headers: { 'idempotency-key': 'k-1' } }));
    await invoke(restApiEvent({ headers: { 'IDEMPOTENCY-KEY': 'k-1' } }));
    expect(state.runs).toBe(1);
  });

  it('quoted and bare keys are equal', async () => {
    const { state, invoke } = setup();
    await invoke(httpApiEvent({ headers: { 'Idempotency-Key': '"k-\\"1\\\\"' } }));
    const replay = await invoke(httpApiEvent({ headers: { 'Idempotency-Key': '  "k-\\"1\\\\"\t' } }));
    await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'abc' } }));
    await invoke(httpApiEvent({ headers: { 'Idempotency-Key': '"abc"' } }));
    expect(headerOf(replay, 'Idempotent-Replayed')).toBe('true');
    expect(state.runs).toBe(2);
  });

  it('separator characters are plain key text', async () => {
    const { state, invoke } = setup();
    for (const key of ['a:b', 'a#b', 'a', 'b', '"a:b"']) await invoke(httpApiEvent({ headers: { 'Idempotency-Key': key } }));
    // "a:b" quoted is the same key as a:b bare; the others are distinct.
    expect(state.runs).toBe(4);
  });

  it.each([
    ['empty', '', 'is empty'],
    ['empty quoted', '""', 'is empty'],
    ['too long', 'k'.repeat(256), 'is 256 characters long; the maximum is 255'],
    ['NUL', 'a\u0000b', 'not visible ASCII at position 2'],
    ['newline', 'a\nb', 'not visible ASCII at position 2'],
    ['unicode', 'clé', 'not visible ASCII at position 3'],
    ['inner space', 'a b', 'not visible ASCII at position 2'],
    ['comma', 'a,b', 'contains a comma'],
    ['stray quote', 'a"b', 'has a quote inside'],
    ['open quote', '"abc', 'has no closing quote'],
    ['after quote', '"abc";x=1', 'has characters after its closing quote'],
    ['bad escape', '"a\\nb"', 'has a backslash'],
    ['control in quotes', '"a\u0007b"', 'not printable ASCII'],
  ])('%s key is rejected with 400', async (_name, key, detail) => {
    const { state, invoke } = setup();
    const response = await invoke(httpApiEvent({ headers: { 'Idempotency-Key': key }, body: '{"secret":"4242"}' }));
    const problem = problemOf(response);

    expect((response as { statusCode: number }).statusCode).toBe(400);
    expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
    expect(problem).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400, code: 'KEY_INVALID' });
    expect(problem.detail).toContain(detail);
    expect((response as { body: string }).body).not.toContain('4242');
    if (key.length > 3) expect(problem.detail).not.toContain(key);
    expect(state.runs).toBe(0);
    expect(state.persistence).toHaveProperty('size', 0);
  });

  it('longer keys allowed by option', async () => {
    const { state, invoke } = setup(created, { http: { maxKeyLength: 300, keyHeader: 'X-Request-Key' } });
    await invoke(httpApiEvent({ headers: { 'X-Request-Key': 'k'.repeat(300) } }));
    await invoke(httpApiEvent({ headers: { 'X-Request-Key': 'k'.repeat(300) } }));
    expect(state.runs).toBe(1);
  });

  it('repeated or non-string header is rejected', async () => {
    const { state, invoke } = setup();
    const repeated = restApiEvent({ headers: { 'Idempotency-Key': 'a' } });
    repeated.multiValueHeaders = { 'Idempotency-Key': ['a', 'b'] };
    const nonString = httpApiEvent({});
    nonString.headers = { 'idempotency-key': 42 };

    for (const event of [repeated, nonString]) {
      const response = await invoke(event);
      expect((response as { statusCode: number }).statusCode).toBe(400);
      expect(problemOf(response).code).toBe('KEY_INVALID');
    }
    expect(problemOf(await invoke(repeated)).detail).toContain('sent 2 times');
    expect(state.runs).toBe(0);
  });

  it('missing key runs unless required', async () => {
    const optional = setup();
    await optional.invoke(httpApiEvent({ body: '{}' }));
    await optional.invoke(httpApiEvent({ body: '{}' }));
    expect(optional.state.runs).toBe(2);

    const required = setup(created, { requireKey: true });
    const response = await required.invoke(httpApiEvent({ body: '{}' }));
    expect(response).toMatchObject({ statusCode: 400 });
    expect(problemOf(response)).toMatchObject({ status: 400, code: 'KEY_MISSING', detail: 'This request needs an idempotency key header.' });
    expect(required.state.runs).toBe(0);
  });

  it('in-progress repeat gets 409 with Retry-After', async () => {
    const gate = deferred();
    const { state, invoke } = setup(async (event, runs) => {
      await gate.promise;
      return created(event, runs);
    });
    const event = () => httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' }, body: '{}' });

    const first = invoke(event());
    await settleMicrotasks();
    const conflict = await invoke(event());
    gate.resolve();
    await first;

    expect(conflict).toMatchObject({ statusCode: 409 });
    expect(headerOf(conflict, 'Retry-After')).toBe('30');
    expect(problemOf(conflict)).toMatchObject({ title: 'Conflict', status: 409, code: 'IN_PROGRESS' });
    expect(state.runs).toBe(1);
  });

  it.each([
    ['body', { body: '{"cents":900}' }],
    ['path', { path: '/refunds' }],
    ['method', { method: 'PUT' }],
  ])('other %s with same key gets 422', async (_name, change) => {
    const { state, invoke } = setup();
    const request: EventInit = { headers: { 'Idempotency-Key': 'k-1' }, body: '{"cents":500}' };
    await invoke(httpApiEvent(request));
    const response = await invoke(httpApiEvent({ ...request, ...change }));

    expect(response).toMatchObject({ statusCode: 422 });
    expect(problemOf(response)).toMatchObject({ title: 'Unprocessable Content', status: 422, code: 'PAYLOAD_MISMATCH' });
    expect((response as { body: string }).body).not.toContain('900');
    expect(state.runs).toBe(1);
  });

  it('unreachable store gets 503', async () => {
    const broken = new MemoryPersistenceLayer();
    broken.acquire = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    const { state, invoke } = setup(created, { persistence: broken });
    const response = await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } }));

    expect(response).toMatchObject({ statusCode: 503 });
    expect(problemOf(response)).toMatchObject({ title: 'Service Unavailable', code: 'PERSISTENCE' });
    expect((response as { body: string }).body).not.toContain('ECONNREFUSED');
    expect(state.runs).toBe(0);
  });

  it('failing persistence factory gets 503', async () => {
    const { state, invoke } = setup(created, {
      persistence: () => {
        throw new Error('ParameterNotFound: /payments/redis-url');
      },
    });
    const response = await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } }));

    expect(response).toMatchObject({ statusCode: 503 });
    expect(problemOf(response).code).toBe('PERSISTENCE');
    expect((response as { body: string }).body).not.toContain('ParameterNotFound');
    expect(state.runs).toBe(0);
  });

  it('5xx response is not stored', async () => {
    const { state, invoke } = setup((event, runs) => (runs === 1 ? { statusCode: 502, body: 'bad gateway' } : created(event, runs)));
    const event = () => httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } });

    expect(await invoke(event())).toMatchObject({ statusCode: 502 });
    expect(await invoke(event())).toMatchObject({ statusCode: 201, body: '{"run":2}' });
    expect(await invoke(event())).toMatchObject({ statusCode: 201, body: '{"run":2}' });
    expect(state.runs).toBe(2);
  });

  it('storeResult option stores 5xx', async () => {
    const { state, invoke } = setup(() => ({ statusCode: 500, body: 'failed' }), { storeResult: () => true });
    await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } }));
    const replay = await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } }));
    expect(replay).toMatchObject({ statusCode: 500, headers: { 'Idempotent-Replayed': 'true' } });
    expect(state.runs).toBe(1);
  });

  it('thrown handler error releases the key', async () => {
    const { state, invoke } = setup((event, runs) => {
      if (runs === 1) throw new Error('ledger unavailable');
      return created(event, runs);
    });
    const event = () => httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } });
    await expect(invoke(event())).rejects.toThrow('ledger unavailable');
    expect(await invoke(event())).toMatchObject({ statusCode: 201 });
    expect(state.runs).toBe(2);
  });

  it('OPTIONS runs without a key', async () => {
    const { state, invoke } = setup(() => ({ statusCode: 204 }), { requireKey: true });
    expect(await invoke(httpApiEvent({ method: 'OPTIONS' }))).toEqual({ statusCode: 204 });
    expect(state.runs).toBe(1);
  });

  it('binary base64 body counts byte for byte', async () => {
    const { state, invoke } = setup();
    const binary = (bytes: number[]) => {
      const event = httpApiEvent({ headers: { 'Idempotency-Key': 'k-bin' } });
      return { ...event, body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true };
    };
    await invoke(binary([0xff, 0x00, 0xfe]));
    expect(headerOf(await invoke(binary([0xff, 0x00, 0xfe])), 'Idempotent-Replayed')).toBe('true');
    expect(await invoke(binary([0xff, 0x00, 0xfd]))).toMatchObject({ statusCode: 422 });
    expect(state.runs).toBe(1);
  });

  it('ALB multi-value replay marks multiValueHeaders', async () => {
    const { invoke } = setup((_event, runs) => ({ statusCode: 200, multiValueHeaders: { 'X-Run': [String(runs)] }, body: '' }));
    const event = () => albEvent({ headers: { 'Idempotency-Key': 'k-1' } }, true);
    await invoke(event());
    expect(await invoke(event())).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'X-Run': ['1'], 'Idempotent-Replayed': ['true'] },
      body: '',
    });
  });

  it('10 MB body is fingerprinted', async () => {
    const { state, invoke } = setup();
    const body = JSON.stringify({ blob: 'x'.repeat(10 * 1024 * 1024) });
    await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-big' }, body }));
    const replay = await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-big' }, body }));
    expect(headerOf(replay, 'Idempotent-Replayed')).toBe('true');
    expect(state.runs).toBe(1);
  });

  it('__proto__ members pollute nothing', async () => {
    const { state, invoke } = setup();
    const hostile = (value: number) =>
      httpApiEvent({
        headers: { 'Idempotency-Key': 'k-proto' },
        body: `{"__proto__":{"polluted":${value}},"constructor":{"prototype":{"polluted":${value}}}}`,
      });
    await invoke(hostile(1));
    const replay = await invoke(hostile(1));
    const changed = await invoke(hostile(2));

    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(headerOf(replay, 'Idempotent-Replayed')).toBe('true');
    // The members count like any other, so a changed __proto__ member is another payload.
    expect(changed).toMatchObject({ statusCode: 422 });
    expect(state.runs).toBe(1);
  });

  it('non-response results replay unchanged', async () => {
    const { invoke } = setup(() => ({ ok: true }));
    await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } }));
    expect(await invoke(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' } }))).toEqual({ ok: true });
  });
});
