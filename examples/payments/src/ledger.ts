// A fake ledger on its own loopback HTTP server. It counts the rows written for each payment on
// its own, and fails the writes that the day's fault plan marks. The demo checks that every
// payment ends with exactly one row.
import { createServer } from 'node:http';

import type { FaultPlan } from './app.ts';
import { closeServer, listenOnLoopback, readBody } from './http-util.ts';

/** A started ledger. */
export interface Ledger {
  readonly url: string;
  close(): Promise<void>;
}

/** The request body of `POST /v1/rows`. */
export interface LedgerRow {
  readonly paymentId: string;
  readonly chargeId: string;
  readonly amountCents: number;
}

/**
 * Starts the ledger. Like the provider, it ignores the `Idempotency-Key` header, so a row that
 * the handler writes twice shows up as two rows. A write that the fault plan marks fails with
 * 503 before anything is written.
 */
export async function startLedger(faults: FaultPlan): Promise<Ledger> {
  const rows = new Map<string, number>();

  const server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      if (request.method === 'GET' && request.url === '/v1/rows/counts') {
        reply(200, Object.fromEntries(rows));
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/rows') {
        reply(404, { error: 'not found' });
        return;
      }
      const row = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8')) as LedgerRow;
      if (faults.take(row.paymentId, 'ledger-write')) {
        reply(503, { error: 'injected failure: the ledger is unavailable' });
        return;
      }
      rows.set(row.paymentId, (rows.get(row.paymentId) ?? 0) + 1);
      reply(201, { rowId: `row_${row.paymentId}_${rows.get(row.paymentId)}` });
    } catch (error) {
      reply(400, { error: (error as Error).message });
    }
  });

  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}

/** Reads the ledger's own row counts, by payment id. */
export async function fetchRowCounts(ledgerUrl: string): Promise<Map<string, number>> {
  const response = await fetch(`${ledgerUrl}/v1/rows/counts`);
  if (!response.ok) throw new Error(`The ledger returned ${response.status} for its row counts.`);
  return new Map(Object.entries((await response.json()) as Record<string, number>));
}
