import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  // The Lambda event and context types stay an import of `aws-lambda` (@types/aws-lambda, an
  // optional peer that every Middy user has), instead of being copied into the declarations.
  deps: { neverBundle: ['aws-lambda', /^@middy\//, /^@idemkit\/idempotency-core/] },
});
