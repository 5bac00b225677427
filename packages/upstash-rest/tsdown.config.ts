import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  // Private workspace code is bundled in; everything users install stays external.
  deps: { alwaysBundle: [/^@idemkit\/redis-scripts/] },
});
