import { expect, it } from 'vitest';

import { runTwoProcessBurst } from '../src/index.ts';
import { deleteRedisKeys, sharedRedisUrl } from './stores.ts';

it('two processes with 100 calls each run the function once on Redis', async () => {
  const keyPrefix = `two-processes-${crypto.randomUUID()}:`;
  try {
    const reports = await runTwoProcessBurst({ kind: 'redis', url: sharedRedisUrl(), keyPrefix }, 'order-1', 100);

    const executions = reports.reduce((sum, report) => sum + report.executions, 0);
    const values = reports.flatMap((report) => report.values);
    expect(reports.flatMap((report) => report.other)).toEqual([]);
    expect(executions).toBe(1);
    expect(new Set(values).size).toBe(1);
    expect(values.length + reports.reduce((sum, report) => sum + report.inProgress, 0)).toBe(200);
  } finally {
    await deleteRedisKeys(keyPrefix);
  }
});
