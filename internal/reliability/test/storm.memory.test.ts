import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import { expect, it } from 'vitest';

import { runStorm } from '../src/index.ts';

it('memory storm of 10,000 calls runs each key once', async () => {
  const report = await runStorm({ persistence: new MemoryPersistenceLayer({ maxItems: 5_000 }), calls: 10_000, keys: 2_000, concurrency: 64, maxWorkMs: 3, seed: 1 });

  expect(report.unexpectedErrors).toEqual([]);
  expect(report.executions.size).toBe(2_000);
  expect([...report.executions.values()].every((count) => count === 1)).toBe(true);
  expect(report.wrongResults).toBe(0);
  expect(report.replays + report.inProgress + 2_000).toBe(10_000);
});
