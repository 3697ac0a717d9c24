export { PARALLELISM, parallelismFor, verifyChain, verifyStore, type BrokenLink, type Parallelism, type PositionGap, type VerifyOptions, type VerifyResult } from './verify';
export { HashingFailedError } from './hash-pool';
export { CheckpointOriginError, type CheckpointCheck, type LogMismatch, type CheckpointKeys, type CheckpointNote } from './checkpoints';
export { findViolations, type Violation, type ViolationsOptions } from './violations';
export { explainDecision, EventNotFoundError, NotADecisionError, type Explanation } from './explain';
export { replay, type ReplayStep } from './replay';
