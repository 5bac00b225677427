import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { IdempotencyPersistenceError, makeIdempotent } from '@idemkit/idempotency-core';
import { RedisPersistenceLayer } from '@idemkit/idempotency-redis';
import { type RedisServer, findFreePort, startRedisServer } from '@idemkit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const PASSWORD = 'test-only-password';

describe('Redis over TLS with a password and a private CA', () => {
  let directory: string;
  let server: RedisServer;
  let tlsPort: number;
  let ca: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'idemkit-tls-'));
    ca = await makeCertificates(directory);
    tlsPort = await findFreePort();
    server = await startRedisServer({
      extraArgs: [
        '--tls-port', String(tlsPort),
        '--tls-cert-file', join(directory, 'server.crt'),
        '--tls-key-file', join(directory, 'server.key'),
        '--tls-ca-cert-file', join(directory, 'ca.crt'),
        '--tls-auth-clients', 'no',
      ],
      startTimeoutMs: 10_000,
      password: PASSWORD,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('runs once and replays through rediss:// with the CA', async () => {
    const layer = RedisPersistenceLayer.fromUrl(`rediss://:${PASSWORD}@127.0.0.1:${tlsPort}`, { logger: false, redis: { tls: { ca } } });
    let runs = 0;
    const fn = makeIdempotent(async (id: string) => `${id} ${++runs}`, { persistence: layer, namespace: 'tls', logger: false });
    try {
      await expect(fn('x')).resolves.toBe('x 1');
      await expect(fn('x')).resolves.toBe('x 1');
      expect(runs).toBe(1);
    } finally {
      await layer.close();
    }
  });

  it.each([
    ['a wrong password', `rediss://:wrong@127.0.0.1:PORT`, true],
    ['a server certificate it cannot verify', `rediss://:${PASSWORD}@127.0.0.1:PORT`, false],
  ])('fails closed with %s', async (_label, url, withCa) => {
    const layer = RedisPersistenceLayer.fromUrl(url.replace('PORT', String(tlsPort)), {
      logger: false,
      redis: { ...(withCa ? { tls: { ca } } : {}), connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null },
    });
    let runs = 0;
    const fn = makeIdempotent(async (_id: string) => ++runs, { persistence: layer, namespace: 'tls-bad', logger: false });
    try {
      const error = await fn('y').catch((thrown: unknown) => thrown);
      expect(IdempotencyPersistenceError.is(error)).toBe(true);
      expect(runs).toBe(0);
    } finally {
      await layer.close().catch(() => undefined);
    }
  });
});

/** Makes a CA and a server certificate for 127.0.0.1 with openssl; returns the CA in PEM. */
async function makeCertificates(directory: string): Promise<string> {
  const file = (name: string): string => join(directory, name);
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const openssl = (...args: string[]): Promise<unknown> => execFileAsync('openssl', args, { cwd: directory });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=idemkit test CA', '-keyout', file('ca.key'), '-out', file('ca.crt'));
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  await openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('server.ext'), '-out', file('server.crt'));
  return readFile(file('ca.crt'), 'utf8');
}
