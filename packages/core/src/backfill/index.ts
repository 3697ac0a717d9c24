export { backfill, BackfillSettings, type BackfillOptions, type BackfillProgress, type BackfillResult } from './run';
export { BackfillCollection, BackfillConsent, BackfillRecord, MOST_PER_CUSTOMER, type BackfillRecordInput } from './record';
export { BackfillLineError, BackfillOptionsError, type BackfillRejection } from './errors';
export { backfillEventId } from './ids';
export type { BackfillTarget, LoadedSubject } from './target';
