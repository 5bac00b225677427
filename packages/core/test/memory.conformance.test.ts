import { MemoryPersistenceLayer } from '@idemkit/idempotency-core';
import { runPersistenceConformance } from '@idemkit/idempotency-core/testing';

runPersistenceConformance({ name: 'MemoryPersistenceLayer', create: () => new MemoryPersistenceLayer() });
