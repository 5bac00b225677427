import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import { describe, expect, it } from 'vitest';

import { idempotency } from '../src/index.js';
import { httpApiEvent } from './events.js';
import { lambdaContext, middyMajors } from './support.js';

const SECRET = 'card-4242424242424242';

function recordingLogger(): { lines: string[]; warn(message: string, details?: unknown): void; error(message: string, details?: unknown): void; info(message: string, details?: unknown): void } {
  const lines: string[] = [];
  const write = (message: string, details?: unknown): void => {
    lines.push(`${message} ${JSON.stringify(details) ?? ''}`);
  };
  return { lines, warn: write, error: write, info: write };
}

describe('HTTP mode warnings', () => {
  it('warn once at startup without a scope', () => {
    const logger = recordingLogger();

    idempotency({ persistence: new MemoryPersistenceLayer(), namespace: 'no-scope', http: true, logger });

    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/without a scope/);
  });

  it('stay quiet with a scope', () => {
    const logger = recordingLogger();

    idempotency({ persistence: new MemoryPersistenceLayer(), namespace: 'scoped', http: true, scope: () => 'tenant-a', logger });

    expect(logger.lines).toEqual([]);
  });
});

describe.each(middyMajors)('logs on $name', ({ middy }) => {
  it('never contain payloads, responses or keys on any path', async () => {
    const logger = recordingLogger();
    const handler = middy(async (event: { body?: string }) => {
      if (event.body?.includes('fail')) throw new Error(`declined ${SECRET}`);
      return { statusCode: event.body?.includes('server') ? 500 : 200, body: `receipt for ${SECRET}` };
    }).use(idempotency({ persistence: new MemoryPersistenceLayer(), namespace: 'logs', http: true, scope: () => 't', logger }));
    const send = (key: string | undefined, body: string): Promise<unknown> =>
      handler(httpApiEvent({ headers: key === undefined ? {} : { 'Idempotency-Key': key }, body }), lambdaContext()).catch((error: unknown) => error);

    await send(`key-${SECRET}`, `{"card":"${SECRET}"}`);
    await send(`key-${SECRET}`, `{"card":"${SECRET}"}`);
    await send(`key-${SECRET}`, `{"card":"${SECRET}","changed":true}`);
    await send(`fail-${SECRET}`, `{"card":"${SECRET}","fail":true}`);
    await send(`server-${SECRET}`, `{"card":"${SECRET}","server":true}`);
    await send(undefined, `{"card":"${SECRET}"}`);
    await send(`bad\u0000${SECRET}`, `{"card":"${SECRET}"}`);
    await send(`key2-${SECRET}`, `not json ${SECRET}`);

    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).not.toContain('4242');
  });
});
