import type { Endpoint } from './execute.ts';

/** Counts by endpoint; `total` also includes what went to no endpoint. */
export interface EndpointCounts {
  readonly total: number;
  readonly command: number;
  readonly pipeline: number;
  readonly multiExec: number;
}

/**
 * Counters of a running server, updated as requests arrive.
 *
 * @example
 * ```ts
 * server.stats.reset();
 * await Promise.all([redis.get('a'), redis.get('b')]);
 * expect(server.stats.requests.total).toBe(1); // one auto-pipelined request
 * ```
 */
export interface ServerStats {
  /** HTTP requests received, rejected ones included; `total` also counts unknown paths. */
  readonly requests: EndpointCounts;
  /** Commands Redis ran (with a reply or an error reply), without MULTI and EXEC. */
  readonly commands: EndpointCounts;
  /** Requests an injected fault fired on. */
  readonly faultsFired: number;
  /** Sets every counter to zero. */
  reset(): void;
}

type MutableCounts = { -readonly [K in keyof EndpointCounts]: number };

/** The counters behind {@link ServerStats}. */
export class StatsRecorder implements ServerStats {
  readonly requests: MutableCounts = zeroCounts();
  readonly commands: MutableCounts = zeroCounts();
  faultsFired = 0;

  reset(): void {
    Object.assign(this.requests, zeroCounts());
    Object.assign(this.commands, zeroCounts());
    this.faultsFired = 0;
  }

  countRequest(endpoint: Endpoint | undefined): void {
    this.requests.total += 1;
    if (endpoint !== undefined) this.requests[endpoint] += 1;
  }

  countCommands(endpoint: Endpoint, count: number): void {
    this.commands.total += count;
    this.commands[endpoint] += count;
  }
}

function zeroCounts(): MutableCounts {
  return { total: 0, command: 0, pipeline: 0, multiExec: 0 };
}
