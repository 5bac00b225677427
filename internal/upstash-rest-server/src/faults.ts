import type { Endpoint } from './execute.ts';

/**
 * The effect of an injected fault on a request:
 * - `drop-after-run`: runs the commands, then closes the socket without a response. The client
 *   sees a network error and retries, so the commands may run again.
 * - `status-before-run`: responds with a 5xx status without running anything. The client does not retry.
 * - `status-after-run`: runs the commands, then responds with a 5xx status in place of their replies.
 */
export type FaultKind = 'drop-after-run' | 'status-before-run' | 'status-after-run';

/**
 * A fault to inject into the coming requests. Only requests that passed the token and body
 * checks count, and the first fault that applies to a request is the one that fires.
 *
 * @example
 * ```ts
 * // Let one pipeline through, then drop the responses to the next two.
 * server.faults.inject({ kind: 'drop-after-run', skip: 1, times: 2, endpoint: 'pipeline' });
 * ```
 */
export interface FaultSpec {
  readonly kind: FaultKind;
  /** How many requests the fault fires on. Default: 1. */
  readonly times?: number;
  /** How many requests pass untouched before the fault fires; `n - 1` targets the n-th. Default: 0. */
  readonly skip?: number;
  /** Limits the fault to one endpoint. Default: every endpoint. */
  readonly endpoint?: Endpoint;
  /** The HTTP status of the `status-*` kinds, from 500 to 599. Default: 500. */
  readonly status?: number;
}

/**
 * Switches for injecting faults, changeable while the server runs.
 *
 * @example
 * ```ts
 * server.faults.inject({ kind: 'status-before-run', status: 503 });
 * await expect(redis.get('k')).rejects.toThrow(UpstashError);
 * ```
 */
export interface FaultSwitches {
  /** Queues a fault behind the ones already queued. */
  inject(spec: FaultSpec): void;
  /** Removes every queued fault. */
  clear(): void;
  /** The number of requests the queued faults will still fire on. */
  readonly pending: number;
}

/** A fault that fires on the current request. */
export interface FiredFault {
  readonly kind: FaultKind;
  readonly status: number;
}

interface QueuedFault {
  readonly kind: FaultKind;
  readonly status: number;
  readonly endpoint: Endpoint | undefined;
  skipsLeft: number;
  timesLeft: number;
}

const FAULT_KINDS = new Set<FaultKind>(['drop-after-run', 'status-before-run', 'status-after-run']);
const ENDPOINTS = new Set<Endpoint>(['command', 'pipeline', 'multiExec']);

/** The queue of injected faults, and the step that picks the fault for each request. */
export class FaultQueue implements FaultSwitches {
  private queue: QueuedFault[] = [];

  inject(spec: FaultSpec): void {
    this.queue.push(validateFault(spec));
  }

  clear(): void {
    this.queue = [];
  }

  get pending(): number {
    return this.queue.reduce((sum, fault) => sum + fault.timesLeft, 0);
  }

  /** Picks the fault for a request on `endpoint`; every matching fault counts the request. */
  take(endpoint: Endpoint): FiredFault | undefined {
    let fired: QueuedFault | undefined;
    for (const fault of this.queue) {
      if (fault.endpoint !== undefined && fault.endpoint !== endpoint) continue;
      if (fault.skipsLeft > 0) fault.skipsLeft -= 1;
      else if (fired === undefined) fired = fault;
    }
    if (fired === undefined) return undefined;

    fired.timesLeft -= 1;
    this.queue = this.queue.filter((fault) => fault.timesLeft > 0);
    return { kind: fired.kind, status: fired.status };
  }
}

function validateFault(spec: FaultSpec): QueuedFault {
  const { kind, times = 1, skip = 0, endpoint, status = 500 } = spec;
  if (!FAULT_KINDS.has(kind)) {
    throw new TypeError(`faults.inject: kind must be one of ${[...FAULT_KINDS].join(', ')}, got ${JSON.stringify(kind)}.`);
  }
  if (!Number.isSafeInteger(times) || times < 1) {
    throw new TypeError(`faults.inject: times must be a positive integer, got ${String(times)}.`);
  }
  if (!Number.isSafeInteger(skip) || skip < 0) {
    throw new TypeError(`faults.inject: skip must be a non-negative integer, got ${String(skip)}.`);
  }
  if (endpoint !== undefined && !ENDPOINTS.has(endpoint)) {
    throw new TypeError(`faults.inject: endpoint must be one of ${[...ENDPOINTS].join(', ')}, got ${JSON.stringify(endpoint)}.`);
  }
  if (!Number.isInteger(status) || status < 500 || status > 599) {
    throw new TypeError(`faults.inject: status must be an HTTP status from 500 to 599, got ${String(status)}.`);
  }
  return { kind, status, endpoint, skipsLeft: skip, timesLeft: times };
}
