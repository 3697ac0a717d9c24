export { runEventStoreConformance, testEvent, collect, type EventStoreFactory, type EventStoreConformanceOptions } from './event-store-conformance';
