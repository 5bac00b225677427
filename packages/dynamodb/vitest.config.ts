import { defineProject } from 'vitest/config';

import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'dynamodb',
    include: ['test/**/*.test.ts'],
    // Starts DynamoDB Local once for every test file of this project and provides its endpoint.
    globalSetup: ['./test/global-setup.ts'],
  },
});
