import type { BenchConfig } from '../config.ts';
import { benchContext, buildEvent, withRequestId } from '../events.ts';
import { BenchHandler } from '../handler.ts';
import type { OpenStore } from '../stores/store.ts';

/**
 * Exercises the store with every library's first calls and replays and with the bare operation,
 * in turns, for `storeWarmupMs`, so that neither library's loops pay for a cold server (DynamoDB
 * Local's JIT compiler), cold connections or Node.js's own JIT compiler.
 */
export async function warmUpStore(store: OpenStore, config: BenchConfig, runId: string): Promise<void> {
  const base = buildEvent('1 KB, string body', 'base');
  const entries = store.libraries.map((entry) => ({ ...entry, call: entry.library.wrap(new BenchHandler(), { namespace: `bench-warm-${runId}` }) }));
  const deadline = Date.now() + config.storeWarmupMs;

  for (let index = 0; Date.now() < deadline; index++) {
    for (const { library, bare, call } of entries) {
      const event = withRequestId(base, `${runId}-${library.library}-warm-${index}`);
      await call(event, benchContext());
      await call(event, benchContext());
      await bare?.run(-1 - index);
    }
  }
}
