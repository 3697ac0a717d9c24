export { createEventStoreDBStore, type EventStoreDBStore, type EventStoreDBStoreOptions } from './store';
export { startProjection, type ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';
export type { Projection } from './projection';
export { CHECKPOINT_TYPE, checkpointStreamOf } from './checkpoint';
export type { RetryPolicy } from './retry';
export type { ResubscribePolicy } from './subscription';
export type { SupportedClient, EventStoreDBClientLike, KurrentDBClientLike } from './client';
