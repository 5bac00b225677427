import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';

import type { BenchConfig } from '../config.ts';
import { idemkitLibrary } from '../libraries/idemkit.ts';
import { PowertoolsMemoryLayer } from '../libraries/powertools-memory.ts';
import { powertoolsLibrary } from '../libraries/powertools.ts';
import type { OpenStore } from './store.ts';

/** Sets up both libraries in process: idemkit's `MemoryPersistenceLayer`, and the bench's minimal Powertools layer. */
export async function openMemoryStore(config: BenchConfig): Promise<OpenStore> {
  return {
    name: 'memory',
    server: 'in process, no I/O',
    libraries: [
      { library: idemkitLibrary(() => new MemoryPersistenceLayer({ maxItems: config.memoryStoreMaxItems })), bare: undefined },
      { library: powertoolsLibrary(() => new PowertoolsMemoryLayer(config.memoryStoreMaxItems)), bare: undefined },
    ],
    notes: ['Powertools runs on a minimal in-memory layer built on its BasePersistenceLayer (bench/src/libraries/powertools-memory.ts); Powertools ships none.'],
    roundTrips: undefined,
    floors: undefined,
    close: async () => {},
  };
}
