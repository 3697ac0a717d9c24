import { runSnapshotStoreConformance } from '@custodian/testing';
import { createInMemorySnapshotStore } from './in-memory';

runSnapshotStoreConformance('in-memory', { open: () => createInMemorySnapshotStore() });
