export { verifyChain, type BrokenLink, type PositionGap, type VerifyOptions, type VerifyResult } from './verify';
export { CheckpointOriginError, type CheckpointCheck, type CheckpointMismatch, type CheckpointKeys, type SignedCheckpoint } from './checkpoints';
export { findViolations, type Violation } from './violations';
export { explainDecision, EventNotFoundError, NotADecisionError, type Explanation } from './explain';
export { exportSubject, type SubjectExport } from './subject-export';
export { replay, type ReplayStep } from './replay';
