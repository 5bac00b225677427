// One simulated day: the provider, the ledger, the handler behind the gateway, and the clients.
import { setTimeout as sleep } from 'node:timers/promises';

import type { PersistenceLayer } from '@idemkit/idempotency-core';

import { type AppCounters, createPaymentsHandler, FaultPlan } from './app.ts';
import { type ClientCounters, type ClientPolicy, newClientCounters, playPayment } from './client.ts';
import { startGateway } from './gateway.ts';
import { fetchRowCounts, startLedger } from './ledger.ts';
import { type PlannedPayment, planDay } from './plan.ts';
import { fetchChargeCounts, startProvider } from './provider.ts';
import { Random } from './random.ts';

/** Settings of a day. */
export interface DayOptions {
  readonly persistence: PersistenceLayer;
  readonly payments: number;
  readonly concurrency: number;
  readonly seed: number;
  /** The simulated function timeout, in ms: it sets the lease of each claim. */
  readonly functionTimeoutMs: number;
  readonly client: ClientPolicy;
  /** Called about every `progressIntervalMs` while the day runs. */
  readonly onProgress?: (progress: DayProgress) => void;
  readonly progressIntervalMs?: number;
}

/** A snapshot of a running day. */
export interface DayProgress {
  readonly elapsedMs: number;
  readonly paymentsDone: number;
  readonly payments: number;
  readonly client: Readonly<ClientCounters>;
  readonly app: Readonly<AppCounters>;
}

/** The counts of a finished day, from the clients, the handler, the provider and the ledger. */
export interface DayResult {
  readonly elapsedMs: number;
  readonly plan: readonly PlannedPayment[];
  readonly client: ClientCounters;
  readonly app: AppCounters;
  /** Charges the provider counted, by payment id. */
  readonly charges: ReadonlyMap<string, number>;
  /** Rows the ledger counted, by payment id. */
  readonly ledgerRows: ReadonlyMap<string, number>;
}

/** Plays a day and returns what every side counted. */
export async function runDay(options: DayOptions): Promise<DayResult> {
  const random = new Random(options.seed);
  const plan = planDay(random, options.payments);
  const latency = new Map(plan.map((payment) => [payment.paymentId, payment.providerLatencyMs]));
  const faults = new FaultPlan();
  for (const payment of plan) if (payment.faultStage !== undefined) faults.failOnce(payment.paymentId, payment.faultStage);

  const app: AppCounters = { executions: 0, libraryWarnings: 0 };
  const client = newClientCounters();
  const provider = await startProvider((reference) => latency.get(reference) ?? 10);
  const ledger = await startLedger(faults);
  const handler = createPaymentsHandler({ persistence: options.persistence, providerUrl: provider.url, ledgerUrl: ledger.url, faults, counters: app });
  const gateway = await startGateway(handler, { functionName: 'payments', timeoutMs: options.functionTimeoutMs });

  const startedAt = Date.now();
  let paymentsDone = 0;
  const report = (): void => options.onProgress?.({ elapsedMs: Date.now() - startedAt, paymentsDone, payments: plan.length, client, app });
  const ticker = setInterval(report, options.progressIntervalMs ?? 1000);

  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plan.length) {
        const payment = plan[next++] as PlannedPayment;
        // Payments arrive spread out, not all at once.
        await sleep(random.int(0, 20));
        await playPayment(gateway.url, payment, options.client, client, random);
        paymentsDone++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    report();
    const charges = await fetchChargeCounts(provider.url);
    const ledgerRows = await fetchRowCounts(ledger.url);
    return { elapsedMs: Date.now() - startedAt, plan, client, app, charges, ledgerRows };
  } finally {
    clearInterval(ticker);
    await gateway.close();
    await provider.close();
    await ledger.close();
  }
}
