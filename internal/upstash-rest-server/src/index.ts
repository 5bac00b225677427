/**
 * A loopback test server that speaks the Upstash Redis REST protocol over a real Redis, with
 * switches for Redis 7 syntax and injected faults.
 *
 * @module
 */
export type { Endpoint } from './execute.ts';
export type { FaultKind, FaultSpec, FaultSwitches } from './faults.ts';
export type { ServerLogger } from './logger.ts';
export type { UpstashRestServerOptions } from './options.ts';
export { startUpstashRestServer, type UpstashRestServer } from './server.ts';
export type { EndpointCounts, ServerStats } from './stats.ts';
