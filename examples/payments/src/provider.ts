// A fake payment provider on its own loopback HTTP server. It counts every charge it makes,
// by payment reference, on its own: the count is the ground truth the demo checks.
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { closeServer, listenOnLoopback, readBody } from './http-util.ts';

/** A started provider. */
export interface Provider {
  readonly url: string;
  close(): Promise<void>;
}

/** The request body of `POST /v1/charges`. */
export interface ChargeRequest {
  readonly reference: string;
  readonly amountCents: number;
  readonly currency: string;
}

/** The response body of `POST /v1/charges`. */
export interface Charge extends ChargeRequest {
  readonly id: string;
}

/**
 * Starts the provider. `latencyMs(reference)` sets how long each charge takes.
 *
 * It deliberately ignores the `Idempotency-Key` header that the handler sends, so that a charge
 * the handler makes twice shows up as two charges instead of being deduplicated here.
 */
export async function startProvider(latencyMs: (reference: string) => number): Promise<Provider> {
  const charges = new Map<string, number>();
  let chargeCount = 0;

  const server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      if (request.method === 'GET' && request.url === '/v1/charges/counts') {
        reply(200, Object.fromEntries(charges));
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/charges') {
        reply(404, { error: 'not found' });
        return;
      }
      const charge = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8')) as ChargeRequest;
      await sleep(latencyMs(charge.reference));
      charges.set(charge.reference, (charges.get(charge.reference) ?? 0) + 1);
      chargeCount++;
      reply(201, { ...charge, id: `ch_${chargeCount.toString(36).padStart(6, '0')}` } satisfies Charge);
    } catch (error) {
      reply(400, { error: (error as Error).message });
    }
  });

  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}

/** Reads the provider's own charge counts, by payment reference. */
export async function fetchChargeCounts(providerUrl: string): Promise<Map<string, number>> {
  const response = await fetch(`${providerUrl}/v1/charges/counts`);
  if (!response.ok) throw new Error(`The provider returned ${response.status} for its charge counts.`);
  return new Map(Object.entries((await response.json()) as Record<string, number>));
}
