import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'upstash-rest-server',
    include: ['test/**/*.test.ts'],
  },
});
