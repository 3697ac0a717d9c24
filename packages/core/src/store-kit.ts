/**
 * `@custodian/core/store-kit`: what an EventStore adapter is built from, apart from the
 * port itself (`EventStore` and its errors, in `@custodian/core`). Every adapter checks its
 * input with the same validators so all refuse alike, and finds a record's members in its
 * bytes the way the ledger wrote them. Applications do not need this entry point.
 */
export {
  MAX_REVISION,
  checkExpectedRevision,
  checkRepeatedIds,
  subscriptionLoop,
  validateAppend,
  validateExpectedRevision,
  validateReadAllOptions,
  validateReadStreamOptions,
  validateSubscribeOptions,
  type StoredId,
} from './store';
export { asciiAt, holdsId, storedHash, streamMember } from './crypto';
export { validateSnapshotArguments } from './snapshots';
