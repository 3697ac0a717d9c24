// One subject's view: everything about one customer, read from their stream, the recipient
// streams it names and the policy stream, never the whole log. The CLI's report, export and
// HTML page, and the privacy center, render it.
export {
  readSubject,
  viewOf,
  type SubjectNoticeOwed,
  type SubjectPurpose,
  type SubjectRecipient,
  type SubjectReport,
  type SubjectRequest,
  type SubjectView,
  type SubjectViewOptions,
} from './view';
export { readSubjectStreams, type SubjectStreams } from './read';
export { exportSubject, type SubjectExport } from './export';
export { subjectAt, type SubjectAt } from './at';
export { buildTimeline, describeEvent, type TimelineContext, type TimelineItem, type TimelineRecipient } from './timeline';
export { KINDS, MAIN_KINDS, type TimelineKind } from './kinds';
export { escapeHtml } from './html';
export {
  actorWords,
  basisWords,
  brokenWords,
  changeWords,
  clockWords,
  copyWords,
  dayWords,
  daysLeftWords,
  erasureReasonWords,
  extensionWords,
  listWords,
  refusalWords,
  retentionWords,
  rightWords,
  timeWords,
} from './words';
