import { buildEvent, benchContext, withRequestId, type ApiEvent } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import type { IdempotentHandler, LibraryUnderTest } from '../libraries/library.ts';
import type { OpenStore, RoundTripCount, RoundTripCounter } from '../stores/store.ts';

/** The paths of a call whose round trips are counted, in report order. */
export const ROUND_TRIP_PATHS = ['first call', 'replay', 'replay, local cache', 'in progress', 'handler failure'] as const;
export type RoundTripPath = (typeof ROUND_TRIP_PATHS)[number];

/** How often the handler must run on each path for the count to describe that path. */
const EXPECTED_RUNS: Record<RoundTripPath, number> = {
  'first call': 1,
  replay: 0,
  'replay, local cache': 0,
  'in progress': 0,
  'handler failure': 1,
};

export interface PathCount extends RoundTripCount {
  /** False when the call did not take the path: the handler ran an unexpected number of times, or the wrong error came back. */
  readonly pathTaken: boolean;
}

export interface RoundTripRow {
  readonly store: string;
  readonly library: string;
  readonly counting: string;
  readonly paths: Record<RoundTripPath, PathCount>;
}

/** Counts the store requests of one call on each path, for every library on the store, after a warm-up. */
export async function measureRoundTrips(store: OpenStore, runId: string): Promise<RoundTripRow[]> {
  const counter = store.roundTrips;
  if (counter === undefined) return [];

  const rows: RoundTripRow[] = [];
  for (const { library } of store.libraries) {
    const handler = new BenchHandler();
    const namespace = `bench-rt-${runId}`;
    const plain = library.wrap(handler, { namespace });
    const cached = library.wrap(handler, { namespace: `${namespace}-cached`, localCacheMaxItems: 100 });
    const base = buildEvent('1 KB, string body', 'warm-up');
    const event = (name: string): ApiEvent => withRequestId(base, `${runId}-${library.library}-${name}`);

    await warmUp(plain, handler, event);
    const paths = {} as Record<RoundTripPath, PathCount>;
    const firstEvent = event('first');
    paths['first call'] = await countPath(counter, handler, 'first call', () => plain(firstEvent, benchContext()));
    paths.replay = await countPath(counter, handler, 'replay', () => plain(firstEvent, benchContext()));

    const cachedEvent = event('cached');
    await cached(cachedEvent, benchContext());
    paths['replay, local cache'] = await countPath(counter, handler, 'replay, local cache', () => cached(cachedEvent, benchContext()));

    paths['in progress'] = await countInProgress(counter, handler, library, plain, event('in-progress'));
    paths['handler failure'] = await countFailure(counter, handler, plain, event('failure'));
    rows.push({ store: store.name, library: library.library, counting: counter.method, paths });
  }
  return rows;
}

/** Runs every path once on its own keys, so scripts are loaded and connections open before counting. */
async function warmUp(plain: IdempotentHandler, handler: BenchHandler, event: (name: string) => ApiEvent): Promise<void> {
  const warm = event('warm-up');
  await plain(warm, benchContext());
  await plain(warm, benchContext());
  handler.fail = true;
  await plain(event('warm-up-failure'), benchContext()).catch(() => undefined);
  handler.fail = false;
}

async function countPath(counter: RoundTripCounter, handler: BenchHandler, path: RoundTripPath, call: () => Promise<unknown>): Promise<PathCount> {
  handler.runs = 0;
  await counter.reset();
  await call();
  return { ...(await counter.read()), pathTaken: handler.runs === EXPECTED_RUNS[path] };
}

async function countInProgress(
  counter: RoundTripCounter,
  handler: BenchHandler,
  library: LibraryUnderTest,
  plain: IdempotentHandler,
  event: ApiEvent,
): Promise<PathCount> {
  const hold = handler.hold();
  const first = plain(event, benchContext());
  await hold.started;

  handler.runs = 0;
  await counter.reset();
  const rejected = await plain(event, benchContext()).then(
    () => false,
    (error: unknown) => library.isInProgressError(error),
  );
  const count = await counter.read();
  const runs = handler.runs;

  hold.release();
  await first;
  return { ...count, pathTaken: rejected && runs === 0 };
}

async function countFailure(counter: RoundTripCounter, handler: BenchHandler, plain: IdempotentHandler, event: ApiEvent): Promise<PathCount> {
  handler.fail = true;
  try {
    return await countPath(counter, handler, 'handler failure', () => plain(event, benchContext()).catch(() => undefined));
  } finally {
    handler.fail = false;
  }
}
