// The side-by-side benchmark: `pnpm bench` at the repository root builds the packages and runs this.
import { randomUUID } from 'node:crypto';

import { parseArguments } from './config.ts';
import { measureBursts } from './phases/concurrency.ts';
import { measureFloors } from './phases/floors.ts';
import { measureHeap } from './phases/heap.ts';
import { measureInProcess } from './phases/in-process.ts';
import { measureRoundTrips } from './phases/round-trips.ts';
import { measureThroughput } from './phases/throughput.ts';
import { warmUpStore } from './phases/warm-up.ts';
import { progress } from './progress.ts';
import { writeReports } from './report/write.ts';
import type { BenchResults, StoreSummary } from './report/results.ts';
import { STORE_MODULES } from './stores/index.ts';
import type { OpenStore } from './stores/store.ts';

const config = parseArguments(process.argv.slice(2));
const runId = randomUUID().slice(0, 8);
const open = new Set<OpenStore>();

// Stops the servers this run started when the run is interrupted.
process.once('SIGINT', () => {
  progress('interrupted; stopping the servers this run started');
  void Promise.allSettled([...open].map((store) => store.close())).then(() => process.exit(130));
});

const measured: Omit<BenchResults, 'meta' | 'targets'> = { stores: [], roundTrips: [], throughput: [], floors: [], bursts: [], inProcess: [], keyFloors: [], heap: [] };
try {
  for (const module of STORE_MODULES) {
    progress(`${module.name}: starting the store`);
    const store = await module.open(config);
    open.add(store);
    try {
      await measureStore(store);
    } finally {
      await store.close();
      open.delete(store);
    }
  }
} finally {
  await Promise.allSettled([...open].map((store) => store.close()));
}
await writeReports(measured, config);

async function measureStore(store: OpenStore): Promise<void> {
  const summary: StoreSummary = { name: store.name, server: store.server, libraries: store.libraries.map((entry) => entry.library.library), notes: store.notes };
  measured.stores.push(summary);

  // The heap is measured first, while no earlier phase has left objects behind on it.
  if (store.name === 'memory') {
    progress(`memory: heap growth over ${config.heapKeys} distinct keys`);
    measured.heap.push(...(await measureHeap(store, config, runId)));
  }
  progress(`${store.name}: warming up for ${config.storeWarmupMs} ms`);
  await warmUpStore(store, config, runId);
  if (store.roundTrips !== undefined) {
    progress(`${store.name}: round trips per path`);
    measured.roundTrips.push(...(await measureRoundTrips(store, runId)));
  }
  progress(`${store.name}: sequential throughput, ${config.throughputPasses} passes of ${config.throughputCalls} calls per loop`);
  measured.throughput.push(...(await measureThroughput(store, config, runId)));
  if (store.floors !== undefined) {
    progress(`${store.name}: floors, the store work of each path timed without idemkit's engine`);
    measured.floors.push(...(await measureFloors(store, config, runId)));
  }
  progress(`${store.name}: ${config.burstRounds} rounds of ${config.burstCalls} concurrent calls on one key`);
  measured.bursts.push(...(await measureBursts(store, config, runId)));

  if (store.name !== 'memory') return;
  progress('memory: in-process cost per event shape');
  const inProcess = await measureInProcess(store, config, runId);
  measured.inProcess.push(...inProcess.rows);
  measured.keyFloors.push(...inProcess.keyFloors);
}
