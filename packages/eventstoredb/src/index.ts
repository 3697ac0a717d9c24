export { createEventStoreDBStore, type EventStoreDBStore, type EventStoreDBStoreOptions } from './store';
export { startProjection, type RunningProjection, type StartProjectionOptions } from './projection-runner';
export { CHECKPOINT_TYPE, checkpointStreamOf, createEventStoreDBCheckpointStore, type EventStoreDBCheckpointOptions } from './checkpoint';
// The projection contract is core's; re-exported so `@custodian/eventstoredb` users keep their import.
export type { Projection } from '@custodian/core';
export type { RetryPolicy } from './retry';
export type { ResubscribePolicy } from './subscription';
export type { SupportedClient, EventStoreDBClientLike, KurrentDBClientLike } from './client';
