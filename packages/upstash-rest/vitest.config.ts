import { defineProject } from 'vitest/config';

import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'upstash-rest',
    include: ['test/**/*.test.ts'],
    // Builds core and this package when their dist is missing or older than the sources, for
    // the test that bundles the built output for an edge runtime.
    globalSetup: ['test/global-setup.ts'],
  },
});
