export { EMPTY_ROOT, HASH_BYTES, leafHash, nodeHash, rootOfLeaves, leafDataOfHash, leafDataOfRecord } from './hash';
export { createMerkleTree, type MerkleTree, type CompactRange } from './tree';
export { createRootBuilder, type RootBuilder } from './root-builder';
export { verifyInclusion, verifyConsistency, PROOF_FAILURES, type ProofCheck, type ProofFailure } from './verify';
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint';
export { isValidKeyName, keyIdOf, formatVerifierKey, parseVerifierKey, type VerifierKey } from './keys';
export { signNote, openNote, splitNote, MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES, type NoteSignature, type OpenedNote, type SplitNote } from './note';
export { createPemSigner, createPemFileSigner, parseSignerKey, generateSignerKey, type Signer, type GeneratedSignerKey } from './signer';
export { formatTlogProof, parseTlogProof, verifyTlogProof, TLOG_PROOF_HEADER, type TlogProof, type TlogProofCheck } from './tlog-proof';
export {
  MalformedTransparencyTextError,
  UnknownKeyError,
  BadSignatureError,
  TreeRangeError,
  CheckpointMismatchError,
  CheckpointConflictError,
  NoReceiptForEventError,
  EventNotInLogError,
  type TransparencyFormat,
  type SignatureRef,
  type CheckpointMismatch,
} from './errors';
export { buildLogTree, createLogTree, type LogTree, type LogLeaf, type CatchUpOptions } from './log-tree';
export { createFolderPublisher, createInMemoryPublisher, originFolderName, type Publisher } from './publisher';
export { createCheckpointer, type Checkpointer, type CheckpointerOptions, type SignedCheckpoint } from './checkpointer';
export {
  issueReceipt,
  verifyReceipt,
  Receipt,
  RECEIPT_FORMAT,
  RECEIPT_EVENT_TYPES,
  type ReceiptOptions,
  type IssueReceiptOptions,
  type ReceiptCheck,
  type ReceiptFailure,
} from './receipt';
export { formatConsistencyProof, parseConsistencyProof } from './consistency-proof';
export { judgeCheckpoint, type WitnessJudgement } from './witness';
export { createFolderWitness, witnessFileName, type FolderWitness, type FolderWitnessOptions, type WitnessOutcome } from './witness-folder';
