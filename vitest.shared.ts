import { fileURLToPath } from 'node:url';

import type { Alias } from 'vite';

const root = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests import the workspace packages by name and get their TypeScript sources, so a change is
 * tested without a build. The package exports (the built files) are checked by `check:packages`
 * and by the tests that bundle the built output.
 */
export const sourceAliases: Alias[] = [
  { find: /^@idemkit\/idempotency-core\/testing$/, replacement: root('./packages/core/src/testing/index.ts') },
  { find: /^@idemkit\/idempotency-core$/, replacement: root('./packages/core/src/index.node.ts') },
  { find: /^@idemkit\/idempotency-redis$/, replacement: root('./packages/redis/src/index.ts') },
  { find: /^@idemkit\/idempotency-upstash-rest$/, replacement: root('./packages/upstash-rest/src/index.ts') },
  { find: /^@idemkit\/idempotency-dynamodb$/, replacement: root('./packages/dynamodb/src/index.ts') },
  { find: /^@idemkit\/idempotency-middy$/, replacement: root('./packages/middy/src/index.ts') },
];
