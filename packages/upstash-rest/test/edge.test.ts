import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { EdgeVM } from '@edge-runtime/vm';
import type { UpstashRestServer } from '@idemkit/upstash-rest-server';
import type { Redis } from '@upstash/redis';
import { build, type BuildFailure, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deleteKeysWithPrefix, inspector, randomKeyPrefix, serverEnv, startServer } from './support.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// The built ESM entries: core's default entry, which runtimes without the "node" condition get.
const CORE_DIST = join(packageDir, '../core/dist/index.js');
const UPSTASH_REST_DIST = join(packageDir, 'dist/index.js');

const NODE_BUILTINS = new Set(builtinModules);

/** Fails the bundle on any import of a Node.js built-in module, with or without `node:`. */
const rejectNodeBuiltins: Plugin = {
  name: 'reject-node-builtins',
  setup(bundle) {
    bundle.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.startsWith('node:') ? args.path.slice('node:'.length) : args.path;
      if (!args.path.startsWith('node:') && !NODE_BUILTINS.has(bare)) return undefined;
      return { errors: [{ text: `Node.js built-in ${args.path} imported by ${args.importer}` }] };
    });
  },
};

/** Resolves the two idemkit packages to their built files, so that the bundle contains exactly those. */
const useBuiltPackages: Plugin = {
  name: 'use-built-packages',
  setup(bundle) {
    bundle.onResolve({ filter: /^@idemkit\/idempotency-core$/ }, () => ({ path: CORE_DIST }));
    bundle.onResolve({ filter: /^@idemkit\/idempotency-upstash-rest$/ }, () => ({ path: UPSTASH_REST_DIST }));
  },
};

/**
 * Bundles `source` for a runtime-neutral target, as an edge bundler does: no Node.js built-ins,
 * and packages resolved through their "import" and "default" export conditions only.
 */
async function bundleForEdge(source: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, sourcefile: 'edge-entry.js', loader: 'js' },
    absWorkingDir: packageDir,
    bundle: true,
    platform: 'neutral',
    format: 'iife',
    mainFields: ['module', 'main'],
    plugins: [useBuiltPackages, rejectNodeBuiltins],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) };
}

// Exposes a first call and a replay on globalThis, for the test to run inside the EdgeVM.
const EDGE_ENTRY = `
import { makeIdempotent } from '@idemkit/idempotency-core';
import { UpstashPersistenceLayer } from '@idemkit/idempotency-upstash-rest';

globalThis.runIdempotentTwice = async (env, keyPrefix) => {
  const persistence = UpstashPersistenceLayer.fromEnv({ env, keyPrefix });
  let runs = 0;
  const charge = makeIdempotent(async (order) => ({ order: order.id, charge: crypto.randomUUID(), runs: ++runs }), {
    persistence,
    namespace: 'edge-charge',
    logger: false,
  });
  const first = await charge({ id: 'order-1' });
  const replay = await charge({ id: 'order-1' });
  return { first, replay, runs };
};

globalThis.fromEnvWithoutEnv = () => {
  try {
    UpstashPersistenceLayer.fromEnv();
    return 'created';
  } catch (error) {
    return error.code + ': ' + error.message;
  }
};
`;

interface EdgeRun {
  readonly first: { order: string; charge: string; runs: number };
  readonly replay: { order: string; charge: string; runs: number };
  readonly runs: number;
}

const keyPrefix = randomKeyPrefix();
let server: UpstashRestServer;
let direct: Redis;

beforeAll(async () => {
  server = await startServer();
  direct = inspector(server);
});

afterAll(async () => {
  await deleteKeysWithPrefix(direct, keyPrefix);
  await server?.close();
});

describe('edge runtime', () => {
  it.each([
    ['node:crypto', "import { createHash } from 'node:crypto'; globalThis.hash = createHash;"],
    ['crypto', "import { createHash } from 'crypto'; globalThis.hash = createHash;"],
  ])('bundle rejects an import of %s', async (name, source) => {
    const failure = (await bundleForEdge(source).then(
      () => undefined,
      (error: unknown) => error,
    )) as BuildFailure | undefined;

    expect(failure?.errors.map((error) => error.text)).toEqual([`Node.js built-in ${name} imported by ${join(packageDir, 'edge-entry.js')}`]);
  });

  it('built packages bundle without Node.js built-ins', async () => {
    const { code, inputs } = await bundleForEdge(EDGE_ENTRY);

    const relative = inputs.map((input) => input.replace(/^.*node_modules\//, ''));
    expect(relative).toContain('../core/dist/index.js');
    expect(relative).toContain('dist/index.js');
    expect(relative).toContain('@upstash/redis/nodejs.mjs');
    expect(relative).toContain('uncrypto/dist/crypto.web.mjs');
    expect(relative).not.toContain('../core/dist/index.node.js');
    expect(code).not.toContain('node:');
  });

  it('first call and replay run in the EdgeVM', async () => {
    const { code } = await bundleForEdge(EDGE_ENTRY);
    const vm = new EdgeVM();
    vm.evaluate(code);
    server.stats.reset();

    const run = (await vm.evaluate(
      `globalThis.runIdempotentTwice(${JSON.stringify(serverEnv(server))}, ${JSON.stringify(keyPrefix)})`,
    )) as EdgeRun;

    expect(vm.evaluate('typeof process')).toBe('undefined');
    expect(run.runs).toBe(1);
    expect(run.first.order).toBe('order-1');
    expect(run.replay).toEqual(run.first);
    expect(server.stats.requests.total).toBeGreaterThanOrEqual(3);
    expect(await direct.keys(`${keyPrefix}edge-charge#*`)).toHaveLength(1);
  });

  it('fromEnv without env names the fix in the EdgeVM', async () => {
    const vm = new EdgeVM();
    vm.evaluate((await bundleForEdge(EDGE_ENTRY)).code);

    const outcome = vm.evaluate('globalThis.fromEnvWithoutEnv()') as string;

    expect(outcome).toMatch(/^CONFIG: UpstashPersistenceLayer\.fromEnv: this runtime has no process\.env/);
    expect(outcome).toContain('fromEnv({ env })');
  });
});
