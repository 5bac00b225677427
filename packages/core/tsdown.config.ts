import { defineConfig } from 'tsdown';

// Two builds from one source: the default entry is runtime-neutral (Web Crypto); the Node.js
// entry, chosen by the "node" export condition, uses node:crypto and node:async_hooks.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts' },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    external: [/^node:/, 'devalue'],
  },
  {
    entry: { testing: 'src/testing/index.ts' },
    format: ['esm'],
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    external: ['vitest', 'devalue'],
    clean: false,
  },
]);
