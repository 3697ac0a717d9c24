import { readSubject, type EventStore, type SubjectReport as CoreSubjectReport } from '@custodian/core';

/** What `custodian report` prints and renders: core's subject view, for people, and which ledger it came from. */
export interface SubjectReport extends CoreSubjectReport {
  readonly ledger: string;
}

/** The subject's report, or undefined when the ledger holds nothing about them. */
export async function buildSubjectReport(store: EventStore, subjectId: string, options: { ledger: string; now: Date }): Promise<SubjectReport | undefined> {
  const view = await readSubject(store, subjectId, { now: options.now });
  if (!view) return undefined;
  const { generatedAt, chain, overview, items } = view;
  return { subjectId, generatedAt, ledger: options.ledger, chain, overview, items };
}
