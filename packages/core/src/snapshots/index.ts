export { type SnapshotStore, validateSnapshotArguments } from './port';
export { createInMemorySnapshotStore } from './in-memory';
export { MIN_SECRET_BYTES, openSnapshot, sealSnapshot, type OpenedSnapshot, type Snapshot, type SnapshotFault } from './seal';
export { recipientStateCodec, subjectStateCodec, type StateCodec } from './state-codec';
export { DEFAULT_SNAPSHOT_EVERY, SnapshotOptions } from './options';
