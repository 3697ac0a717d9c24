export * from './errors';
export * from './events';
// The application's API. What store authors need besides the port (validators, the
// subscription loop, the record's byte layout) is in ./store-kit.ts; raw access to stored
// bytes, for tests that play the attacker, is in ./testing.ts.
export {
  DuplicateEventIdError,
  InMemoryEventStore,
  StoreClosedError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type ActualRevision,
  locateEvent,
  type AppendResult,
  type EventLocation,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RawRecord,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from './store';
export {
  GENESIS_HASH,
  KEY_BYTES,
  InMemoryKeyStore,
  KeyDestroyedError,
  KeyFileCorruptError,
  KeyFileUnreadableError,
  KeyFolderInsecureError,
  KeyUnwrapFailedError,
  SealedValueError,
  canonicalJson,
  checkLink,
  checkRecord,
  createFileKeyStore,
  newDataKey,
  openValue,
  pseudonymize,
  sealRecord,
  sealValue,
  type FileKeyStoreOptions,
  type KeyStore,
  type LinkFault,
  type RecordCheck,
} from './crypto';
export * from './policy';
export * from './requests';
export * from './projections';
export * from './decider';
export * from './audit';
export * from './subject';
export * from './trail';
export * from './subject-keys';
export * from './application';
// The zod this package validates with, for the schemas of the application's own event types
// (`createLedger({ events })`); a zod 4 of your own works as well.
export { z } from 'zod';
export * from './ledger';
export * from './backfill';
export * from './transparency';
export {
  createInMemorySnapshotStore,
  openSnapshot,
  recipientStateCodec,
  sealSnapshot,
  subjectStateCodec,
  type OpenedSnapshot,
  type Snapshot,
  type SnapshotFault,
  type SnapshotOptions,
  type SnapshotStore,
  type StateCodec,
} from './snapshots';
