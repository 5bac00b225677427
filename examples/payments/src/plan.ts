// The day's traffic: which payments arrive and how each one misbehaves.
import type { FaultStage } from './app.ts';
import type { Random } from './random.ts';

/**
 * The behaviour of a payment's client:
 * - `normal`: one request with a quick response;
 * - `slow`: the provider is slow, the client times out and retries while the first request runs;
 * - `burst`: the client sends the same request several times at once;
 * - `reused-key`: after success, the client reuses the key for a different amount;
 * - `fault`: the fraud check before the charge, or the ledger write after it, fails once; the
 *   client retries.
 */
export type Behaviour = 'normal' | 'slow' | 'burst' | 'reused-key' | 'fault';

/** One payment of the day. */
export interface PlannedPayment {
  readonly paymentId: string;
  readonly idempotencyKey: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly behaviour: Behaviour;
  /** Concurrent copies sent, for `burst`. */
  readonly copies: number;
  /** The point where the injected failure strikes, for `fault`. */
  readonly faultStage?: FaultStage;
  /** How long the provider takes to charge this payment, in ms. */
  readonly providerLatencyMs: number;
}

// Share of each behaviour among the day's payments; the rest are normal.
const SHARES: readonly [Behaviour, number][] = [
  ['slow', 0.1],
  ['burst', 0.1],
  ['reused-key', 0.08],
  ['fault', 0.1],
];

/** Plans `count` payments. */
export function planDay(random: Random, count: number): PlannedPayment[] {
  return Array.from({ length: count }, (_, index) => planPayment(random, index));
}

function planPayment(random: Random, index: number): PlannedPayment {
  const behaviour = pickBehaviour(random);
  return {
    paymentId: `pay_${String(index + 1).padStart(4, '0')}`,
    idempotencyKey: random.uuid(),
    amountCents: random.int(100, 50_000),
    currency: random.chance(0.8) ? 'EUR' : 'USD',
    behaviour,
    copies: behaviour === 'burst' ? random.int(3, 6) : 1,
    ...(behaviour === 'fault' ? { faultStage: random.chance(0.5) ? 'before-charge' : 'ledger-write' } : {}),
    providerLatencyMs: behaviour === 'slow' ? random.int(500, 900) : random.int(5, 40),
  };
}

function pickBehaviour(random: Random): Behaviour {
  let roll = random.next();
  for (const [behaviour, share] of SHARES) {
    if (roll < share) return behaviour;
    roll -= share;
  }
  return 'normal';
}
