export { decideRecipient, decideSubject, type EventDraft, type RecipientCommand, type SubjectCommand } from './decide';
export { recipientDecider, subjectDecider, type Decider } from './decider';
export {
  evolveSubject,
  initialSubjectState,
  keyGenerationOf,
  type CollectedCategory,
  type ConsentFact,
  type OptOutFact,
  type RecipientNoticeFact,
  type ShareFact,
  type SubjectState,
} from './subject-state';
export { evolveRecipient, initialRecipientState, type RecipientState } from './recipient-state';
export { CommandRefusedError, RefusalReason, subjectErasedRefusal } from './errors';
export { noticesOwed, type NoticedChange } from './notices';
