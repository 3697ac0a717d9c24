export type {
  AppendResult,
  EventLocation,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RawRecord,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './port';
export { WrongExpectedRevisionError, StreamNotFoundError, DuplicateEventIdError, StoreClosedError, checkExpectedRevision, type ActualRevision } from './errors';
export { InMemoryEventStore, insertRaw, overwriteRaw, rawRecords, validateAppend } from './in-memory';
export { locateEvent } from './locate';
export { checkRepeatedIds, type StoredId } from './repeated-ids';
export { subscriptionLoop } from './subscription-loop';
export { MAX_REVISION, validateExpectedRevision, validateReadAllOptions, validateReadStreamOptions, validateSubscribeOptions } from './validation';
export { canTap, readLog, scanRecords, tapAppends, type AppendTap, type ReadLogOptions, type ScannedRecord, type ScanningStore, type TappingStore } from './scan';
