// A child process of the two-process test. It opens a store, prints "ready", waits for "go" on
// stdin, fires concurrent calls with one key, and prints what happened as one JSON line.
// Run as: node burst-child.ts '<store JSON>' <key> <calls>
import { createInterface } from 'node:readline';

import { IdempotencyInProgressError, makeIdempotent, type PersistenceLayer } from '@idemkit/idempotency-core';

import { openStoreForChild, type ChildStore } from './child-stores.ts';

const [storeJson, key, callsText] = process.argv.slice(2);
if (storeJson === undefined || key === undefined || callsText === undefined) {
  console.error('usage: node burst-child.ts <store JSON> <key> <calls>');
  process.exit(2);
}

const persistence: PersistenceLayer = await openStoreForChild(JSON.parse(storeJson) as ChildStore);
let executions = 0;
const charge = makeIdempotent(
  async (_key: string) => {
    executions++;
    await new Promise((resolve) => setTimeout(resolve, 100));
    return `pid ${process.pid} run ${crypto.randomUUID()}`;
  },
  { persistence, namespace: 'two-processes', leaseMs: 30_000, logger: false },
);

console.log('ready');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;

const outcomes = await Promise.allSettled(Array.from({ length: Number(callsText) }, () => charge(key)));
const values = outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value);
const inProgress = outcomes.filter((outcome) => outcome.status === 'rejected' && IdempotencyInProgressError.is(outcome.reason)).length;
const other = outcomes
  .filter((outcome) => outcome.status === 'rejected' && !IdempotencyInProgressError.is(outcome.reason))
  .map((outcome) => String((outcome as PromiseRejectedResult).reason));

console.log(JSON.stringify({ executions, values, inProgress, other }));
await persistence.close();
process.exit(0);
