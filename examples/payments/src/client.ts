// The payment clients of the day: each sends its payment, retries after timeouts, conflicts and
// server errors, and counts what it saw.
import { setTimeout as sleep } from 'node:timers/promises';

import type { PlannedPayment } from './plan.ts';
import type { Random } from './random.ts';

/** The merchant every client of the demo pays for; the handler scopes records by it. */
const MERCHANT_ID = 'merchant-demo';

/** Counts of the responses and failures the clients met, over the whole day. */
export interface ClientCounters {
  requests: number;
  /** 2xx responses that carried `Idempotent-Replayed: true`. */
  replays: number;
  /** 2xx responses from a run of the handler. */
  firstResponses: number;
  conflicts: number;
  mismatches: number;
  serverErrors: number;
  timeouts: number;
  /** Responses no client expected (a 400, a 422 outside the reused-key case, ...). */
  unexpected: number;
  /** Payments whose client gave up without a 2xx. */
  abandoned: number;
  completedPayments: number;
}

/** The timeout and retry policy of every client. */
export interface ClientPolicy {
  /** A request with no response after this many ms is abandoned and retried. */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Maximum wait before a retry, in ms, even when `Retry-After` requests a longer one. */
  readonly maxRetryWaitMs: number;
}

type Outcome =
  | { readonly kind: 'response'; readonly status: number; readonly replayed: boolean; readonly retryAfterSeconds: number | undefined }
  | { readonly kind: 'timeout' };

/** Creates zeroed counters. */
export function newClientCounters(): ClientCounters {
  return { requests: 0, replays: 0, firstResponses: 0, conflicts: 0, mismatches: 0, serverErrors: 0, timeouts: 0, unexpected: 0, abandoned: 0, completedPayments: 0 };
}

/** Plays one payment's client to the end: every copy of a burst, and the reused key. */
export async function playPayment(gatewayUrl: string, payment: PlannedPayment, policy: ClientPolicy, counters: ClientCounters, random: Random): Promise<void> {
  const body = paymentBody(payment, payment.amountCents);
  const copies = Array.from({ length: payment.copies }, () => payUntilDone(gatewayUrl, payment.idempotencyKey, body, policy, counters, random));
  const done = await Promise.all(copies);
  if (done.some((ok) => ok)) counters.completedPayments++;
  else counters.abandoned++;

  if (payment.behaviour !== 'reused-key') return;
  // A client bug: the same key for another amount. It must be rejected, not charged.
  const outcome = await send(gatewayUrl, payment.idempotencyKey, paymentBody(payment, payment.amountCents + 1), policy, counters);
  if (outcome.kind === 'response' && outcome.status === 422) counters.mismatches++;
  else counters.unexpected++;
}

async function payUntilDone(gatewayUrl: string, key: string, body: string, policy: ClientPolicy, counters: ClientCounters, random: Random): Promise<boolean> {
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const outcome = await send(gatewayUrl, key, body, policy, counters);
    if (outcome.kind === 'timeout') {
      counters.timeouts++;
      await sleep(backoffMs(attempt, policy, random));
      continue;
    }
    if (outcome.status >= 200 && outcome.status < 300) {
      if (outcome.replayed) counters.replays++;
      else counters.firstResponses++;
      return true;
    }
    if (outcome.status === 409) {
      counters.conflicts++;
      const retryAfterMs = (outcome.retryAfterSeconds ?? 1) * 1000;
      await sleep(Math.min(retryAfterMs, policy.maxRetryWaitMs) + random.int(0, 50));
      continue;
    }
    if (outcome.status >= 500) {
      counters.serverErrors++;
      await sleep(backoffMs(attempt, policy, random));
      continue;
    }
    counters.unexpected++;
    return false;
  }
  return false;
}

async function send(gatewayUrl: string, key: string, body: string, policy: ClientPolicy, counters: ClientCounters): Promise<Outcome> {
  counters.requests++;
  try {
    const response = await fetch(`${gatewayUrl}/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, 'X-Merchant-Id': MERCHANT_ID },
      body,
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    await response.arrayBuffer();
    const retryAfter = response.headers.get('retry-after');
    return {
      kind: 'response',
      status: response.status,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      retryAfterSeconds: retryAfter === null ? undefined : Number(retryAfter),
    };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { kind: 'timeout' };
    throw error;
  }
}

function paymentBody(payment: PlannedPayment, amountCents: number): string {
  return JSON.stringify({ paymentId: payment.paymentId, amountCents, currency: payment.currency });
}

/** Exponential backoff from 50 ms with jitter, capped by the policy. */
function backoffMs(attempt: number, policy: ClientPolicy, random: Random): number {
  return Math.min(50 * 2 ** (attempt - 1), policy.maxRetryWaitMs) + random.int(0, 25);
}
