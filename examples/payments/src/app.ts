// The payments Lambda handler: Middy, http-error-handler, and the idempotency middleware in
// HTTP mode. It charges through the provider and then writes a ledger row, each inside a
// resumable step, so a retry after the ledger write failed replays the charge instead of making
// it again, and writes the row once.
import type { IdempotencyLogger, PersistenceLayer } from '@idemkit/idempotency-core';
import { idempotency, type IdempotentContext } from '@idemkit/idempotency-middy';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

import type { LedgerRow } from './ledger.ts';
import type { Charge, ChargeRequest } from './provider.ts';

/** The point where an injected failure strikes: before the charge, or at the ledger write after it. */
export type FaultStage = 'before-charge' | 'ledger-write';

/** Failures injected into the handler, each thrown once: the retry of that payment succeeds. */
export class FaultPlan {
  readonly #pending = new Map<string, FaultStage>();

  failOnce(paymentId: string, stage: FaultStage): void {
    this.#pending.set(paymentId, stage);
  }

  /** Returns true, the first time only, when a failure is planned for this payment and stage. */
  take(paymentId: string, stage: FaultStage): boolean {
    if (this.#pending.get(paymentId) !== stage) return false;
    this.#pending.delete(paymentId);
    return true;
  }

  /** Throws the failure planned for this payment and stage, the first time only. */
  check(paymentId: string, stage: FaultStage): void {
    if (this.take(paymentId, stage)) throw new Error('injected failure: the fraud check is unavailable');
  }
}

/** Counters the handler keeps, on the server side. */
export interface AppCounters {
  /** Runs of the handler body: first runs and retries that the middleware let through. */
  executions: number;
  /** Warnings and errors that idemkit logged. */
  libraryWarnings: number;
}

/** Everything the handler is created with. */
export interface AppOptions {
  readonly persistence: PersistenceLayer;
  readonly providerUrl: string;
  readonly ledgerUrl: string;
  readonly faults: FaultPlan;
  readonly counters: AppCounters;
}

interface PaymentRequest {
  readonly paymentId: string;
  readonly amountCents: number;
  readonly currency: string;
}

/** Creates the payments handler: `POST /payments` with an `Idempotency-Key` header. */
export function createPaymentsHandler(options: AppOptions) {
  const { counters, faults, providerUrl, ledgerUrl } = options;
  const logger: IdempotencyLogger = {
    warn: () => counters.libraryWarnings++,
    error: () => counters.libraryWarnings++,
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, IdempotentContext>()
    .use(httpErrorHandler({ logger: false }))
    .use(
      idempotency<APIGatewayProxyEventV2>({
        persistence: options.persistence,
        namespace: 'payments',
        http: true,
        requireKey: true,
        // Each merchant's keys are its own: one merchant can never replay another's payment.
        scope: (event) => event.headers['x-merchant-id'],
        logger,
      }),
    )
    .handler(async (event, context) => {
      counters.executions++;
      if (event.requestContext.http.method !== 'POST' || event.rawPath !== '/payments') {
        return json(404, { error: 'not found' });
      }
      const payment = parsePayment(event.body);
      if (payment === undefined) return json(400, { error: 'send {"paymentId": string, "amountCents": positive integer, "currency": string}' });
      if (context.idempotency === undefined) throw new Error('no idempotency claim, although requireKey is set');

      faults.check(payment.paymentId, 'before-charge');
      const charge = await context.idempotency.step('charge', ({ key }) =>
        chargeCard(providerUrl, { reference: payment.paymentId, amountCents: payment.amountCents, currency: payment.currency }, key),
      );
      await context.idempotency.step('ledger', ({ key }) =>
        writeLedgerRow(ledgerUrl, { paymentId: payment.paymentId, chargeId: charge.id, amountCents: charge.amountCents }, key),
      );

      return json(201, { paymentId: payment.paymentId, chargeId: charge.id, amountCents: charge.amountCents, status: 'succeeded' });
    });
}

async function chargeCard(providerUrl: string, request: ChargeRequest, idempotencyKey: string): Promise<Charge> {
  const response = await fetch(`${providerUrl}/v1/charges`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`the provider returned ${response.status}`);
  return (await response.json()) as Charge;
}

async function writeLedgerRow(ledgerUrl: string, row: LedgerRow, idempotencyKey: string): Promise<{ rowId: string }> {
  const response = await fetch(`${ledgerUrl}/v1/rows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(row),
  });
  if (!response.ok) throw new Error(`the ledger returned ${response.status}`);
  return (await response.json()) as { rowId: string };
}

function parsePayment(body: string | undefined): PaymentRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const { paymentId, amountCents, currency } = (value ?? {}) as Record<string, unknown>;
  if (typeof paymentId !== 'string' || typeof currency !== 'string') return undefined;
  if (typeof amountCents !== 'number' || !Number.isSafeInteger(amountCents) || amountCents <= 0) return undefined;
  return { paymentId, amountCents, currency };
}

function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
