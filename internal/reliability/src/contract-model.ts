/**
 * A reference model of the persistence contract: what every store must return for each call,
 * written as plainly as possible so that it can be checked by reading.
 */

export interface ModelRecord {
  status: 'IN_PROGRESS' | 'COMPLETED';
  expiresAt: number;
  leaseExpiresAt: number;
  leaseToken: string;
  payloadHash: string | undefined;
  response: string | undefined;
  steps: Record<string, string>;
}

export type ModelAcquire = { acquired: true; steps: Record<string, string> } | { acquired: false; record: ModelRecord };

/** The contract's state: one record per key, read at an instant (epoch ms). */
export class ContractModel {
  readonly records = new Map<string, ModelRecord>();

  /** Returns the record under `key` unless it expired at `now`. */
  live(key: string, now: number): ModelRecord | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.expiresAt > now ? record : undefined;
  }

  acquire(key: string, token: string, leaseMs: number, expiresAfterMs: number, payloadHash: string | undefined, now: number): ModelAcquire {
    const existing = this.live(key, now);
    if (existing?.leaseToken === token && existing.status === 'IN_PROGRESS') return { acquired: true, steps: { ...existing.steps } };
    if (existing !== undefined && !takeable(existing, payloadHash, now)) return { acquired: false, record: { ...existing, steps: { ...existing.steps } } };

    const steps = existing === undefined ? {} : { ...existing.steps };
    const expiresAt = now + expiresAfterMs;
    this.records.set(key, {
      status: 'IN_PROGRESS',
      expiresAt,
      leaseExpiresAt: Math.min(now + leaseMs, expiresAt),
      leaseToken: token,
      payloadHash,
      response: undefined,
      steps,
    });
    return { acquired: true, steps: { ...steps } };
  }

  complete(key: string, token: string, response: string, now: number): boolean {
    const record = this.#owned(key, token, now);
    if (record === undefined) return false;
    record.status = 'COMPLETED';
    record.response = response;
    return true;
  }

  release(key: string, token: string, now: number): boolean {
    const record = this.#owned(key, token, now);
    if (record === undefined) return false;
    if (Object.keys(record.steps).length === 0) this.records.delete(key);
    else record.leaseExpiresAt = now;
    return true;
  }

  extend(key: string, token: string, leaseMs: number, now: number): boolean {
    const record = this.#owned(key, token, now);
    if (record === undefined || record.status !== 'IN_PROGRESS') return false;
    record.leaseExpiresAt = Math.min(now + leaseMs, record.expiresAt);
    return true;
  }

  saveStep(key: string, token: string, name: string, result: string, now: number): boolean {
    const record = this.#owned(key, token, now);
    if (record === undefined || record.status !== 'IN_PROGRESS') return false;
    record.steps[name] = result;
    return true;
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  #owned(key: string, token: string, now: number): ModelRecord | undefined {
    const record = this.live(key, now);
    return record?.leaseToken === token ? record : undefined;
  }
}

function takeable(record: ModelRecord, payloadHash: string | undefined, now: number): boolean {
  if (record.status !== 'IN_PROGRESS' || record.leaseExpiresAt > now) return false;
  return record.payloadHash === undefined || payloadHash === undefined || record.payloadHash === payloadHash;
}

/** Returns every instant at which the result for `key` changes without a call: lease lapse and expiry. */
export function boundariesOf(model: ContractModel, key: string): number[] {
  const record = model.records.get(key);
  return record === undefined ? [] : [record.expiresAt, record.leaseExpiresAt];
}
