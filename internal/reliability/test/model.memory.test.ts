import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';

import { runContractModel } from '../src/index.ts';

runContractModel({ name: 'MemoryPersistenceLayer', create: () => new MemoryPersistenceLayer(), runs: 300, maxCommands: 40 });
