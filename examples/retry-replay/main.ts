// A retried call runs the function once: the retry gets the stored result back.
import { MemoryPersistenceLayer, makeIdempotent } from '@idemkit/idempotency-core';

interface Payment {
  readonly paymentId: string;
  readonly cents: number;
}

let charges = 0;

const charge = makeIdempotent(
  async (payment: Payment) => {
    charges += 1;
    return { chargeId: `ch_${crypto.randomUUID().slice(0, 8)}`, cents: payment.cents };
  },
  {
    persistence: new MemoryPersistenceLayer(),
    namespace: 'retry-replay-example',
    key: (payment) => payment.paymentId,
    payload: (payment) => payment.cents,
  },
);

const payment: Payment = { paymentId: 'pay-1', cents: 1250 };
const first = await charge(payment);
console.log(`first call:  ${JSON.stringify(first)}`);
const retry = await charge(payment);
console.log(`retry:       ${JSON.stringify(retry)}`);
console.log(`charges made: ${charges}`);

if (charges !== 1 || retry.chargeId !== first.chargeId) {
  console.error('FAILED: the retry ran the function again');
  process.exit(1);
}
console.log('OK: the retry replayed the first result');
