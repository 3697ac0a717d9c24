export { runEventStoreConformance, testEvent, collect, type EventStoreFactory, type EventStoreConformanceOptions } from './event-store-conformance';
export { deciderSpec, type DeciderThen, type GivenEvent } from './decider-spec';
export { runLedgerConformance, type LedgerConformanceOptions } from './ledger-conformance';
export { plantEvent } from './plant';
export { conformancePolicy } from './policy-fixture';
export { runTreeConformance, type TreeConformanceOptions } from './tree-conformance';
export { runProjectionRunnerConformance, type ProjectionRunnerConformanceSetup, type Tally } from './projection-runner-conformance';
export { watchReads, type WatchedStore } from './watched-store';
export { runSnapshotStoreConformance, type SnapshotStoreConformanceSetup } from './snapshot-store-conformance';
