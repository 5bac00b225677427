// The payments demo: a day of payments against a Middy handler in HTTP mode, with retries,
// duplicates and failures. Exits non-zero when any payment was charged twice or not at all.
import { parseArgs } from 'node:util';

import { runDay } from './day.ts';
import { judge, progressLine, summary } from './report.ts';
import { isStoreName, openStore, STORE_NAMES } from './stores.ts';

const HELP = `Usage: pnpm demo [-- options]

Plays a day of payments against a Middy payments handler that uses @idemkit/idempotency-middy
in HTTP mode, behind a local API Gateway (HTTP API) and a fake payment provider, both on
127.0.0.1. Clients time out and retry, send bursts of duplicates, reuse keys with another
amount, and meet injected handler failures. At the end the provider's own charge counts are
checked: the run fails (exit code 1) if any payment was charged twice or not at all.

Options:
  --store NAME        the idempotency store: ${STORE_NAMES.join(', ')} (default: memory)
                      redis: REDIS_URL (default redis://127.0.0.1:6379)
                      dynamodb: DYNAMODB_ENDPOINT of a running DynamoDB Local; without it the
                      demo starts DynamoDB Local itself (needs Java 17 or later)
                      upstash: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN; without
                      them the demo serves the Upstash REST protocol itself over REDIS_URL
  --payments N        number of payments in the day (default: 300; 40 with --short)
  --concurrency N     clients sending at the same time (default: 16; 8 with --short)
  --seed N            seed of the day's plan, to replay a run (default: 1)
  --short             a few seconds: fewer payments, for a smoke test
  --help              print this help
`;

interface CliOptions {
  readonly store: string;
  readonly payments: number;
  readonly concurrency: number;
  readonly seed: number;
}

function parseCli(argv: readonly string[]): CliOptions | 'help' {
  // `pnpm demo -- --store redis` passes the separator through to the script.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    options: {
      store: { type: 'string', default: 'memory' },
      payments: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string', default: '1' },
      short: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    store: values.store,
    payments: positiveInteger('--payments', values.payments ?? (values.short ? '40' : '300')),
    concurrency: positiveInteger('--concurrency', values.concurrency ?? (values.short ? '8' : '16')),
    seed: positiveInteger('--seed', values.seed),
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(text)}.`);
  return value;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  let cli: CliOptions | 'help';
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (cli === 'help') {
    console.log(HELP);
    return 0;
  }
  if (!isStoreName(cli.store)) {
    console.error(`Unknown store ${JSON.stringify(cli.store)}; --store takes one of: ${STORE_NAMES.join(', ')}.`);
    return 2;
  }

  let store;
  try {
    store = await openStore(cli.store);
  } catch (error) {
    console.error(`Cannot open the ${cli.store} store: ${(error as Error).message}`);
    return 2;
  }

  console.log(`payments demo: ${cli.payments} payments, ${cli.concurrency} concurrent clients, store ${store.description}, seed ${cli.seed}`);
  try {
    const result = await runDay({
      persistence: store.persistence,
      payments: cli.payments,
      concurrency: cli.concurrency,
      seed: cli.seed,
      functionTimeoutMs: 3000,
      client: { timeoutMs: 300, maxAttempts: 12, maxRetryWaitMs: 500 },
      onProgress: (progress) => console.log(progressLine(progress)),
    });
    const verdict = judge(result);
    console.log(summary(result, verdict));
    return verdict.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
