import { defineProject } from 'vitest/config';

import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'reliability',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    globalSetup: ['./test/global-setup.ts'],
  },
});
