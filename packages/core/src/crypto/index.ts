export { canonicalJson } from './canonical-json';
export {
  CANONICAL_MEMBERS,
  GENESIS_HASH,
  PLACE_MEMBERS,
  asciiAt,
  checkLink,
  checkRecord,
  createRecordHasher,
  GENESIS_HEX,
  linkCheck,
  holdsId,
  holdsIdUtf8,
  readStoredHash,
  sealRecord,
  storedHash,
  streamMember,
  streamName,
  type LinkFault,
  type RecordCheck,
  type StreamName,
} from './chain';
export { sealValue, openValue, SealedValueError } from './field-cipher';
export { KEY_BYTES, KeyDestroyedError, KeyFileCorruptError, KeyFileUnreadableError, KeyFolderInsecureError, KeyUnwrapFailedError, newDataKey, type KeyStore } from './key-store';
export { InMemoryKeyStore } from './in-memory-key-store';
export { pseudonymize } from './pseudonymize';
export { createFileKeyStore, type FileKeyStoreOptions } from './file-key-store';
