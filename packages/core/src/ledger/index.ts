export { createLedger, type AccessDecision, type Decision, type Ledger, type LedgerOptions } from './create-ledger';
export { decideRecipient, decideSubject, type EventDraft, type RecipientCommand, type SubjectCommand } from './decide';
export { evolveSubject, initialSubjectState, type CollectedCategory, type ConsentFact, type ShareFact, type SubjectState } from './subject-state';
export { evolveRecipient, initialRecipientState, type RecipientState } from './recipient-state';
export { CommandRefusedError, NotPermittedError } from './errors';
export { recipientStream, subjectStream } from './streams';
export type { AsOf } from './as-of';
export type { ReadOptions, ReadSide } from './read-side';
export * from './commands';
