import { createReadSide, dayWords, daysLeftWords, extensionWords, type SubjectRequestDeadline } from '@custodian/core';
import { toJson } from '../output/json';
import { count, table } from '../output/table';
import { stringOption, UsageError } from '../usage';
import { parseTime } from './at';
import { EXIT, type Command } from './command';

export const requests: Command = {
  name: 'requests',
  summary: 'open access, portability and erasure requests across subjects, with the days left to answer each (GDPR Art. 12(3))',
  description:
    'Lists every request not yet answered, across subjects, soonest due first: what was asked, when, by when it must be answered (one calendar month from receipt, to the end of that UTC day, or the extended deadline) and the days left. An access or portability request is answered by the export that names it (AccessRequestFulfilled), an erasure request by the erasure. With --overdue, only those past their deadline. Days are counted at --now, by default the present moment.',
  positionals: [],
  options: {
    overdue: { type: 'boolean', description: 'only the requests past their deadline' },
    now: { type: 'string', value: '<time>', description: 'count the days left at this ISO 8601 time (2026-04-01T09:00:00Z) instead of now' },
  },
  examples: ['custodian requests', 'custodian requests --overdue', 'custodian requests --overdue --now 2026-04-01T09:00:00Z --json'],
  findings: 'a request is past its deadline',
  async run({ io, json, opened, values }) {
    if (values['now'] !== undefined && stringOption(values, 'now') === undefined) throw new UsageError('--now needs a time', 'requests');
    const nowText = stringOption(values, 'now');
    const now = nowText === undefined ? new Date() : parseTime(nowText, 'now', 'requests');
    const overdueOnly = values['overdue'] === true;
    const open = await createReadSide(opened.store, () => now).openRequests({ now });
    const listed = overdueOnly ? open.filter((request) => request.overdue) : open;
    const overdue = open.filter((request) => request.overdue).length;
    if (json) io.stdout.write(toJson({ ledger: opened.label, now: now.toISOString(), overdueOnly, open: open.length, overdue, requests: listed }));
    else io.stdout.write(textRequests(opened.label, now, overdueOnly, listed, open.length, overdue));
    return overdue === 0 ? EXIT.ok : EXIT.findings;
  },
};

function textRequests(ledger: string, now: Date, overdueOnly: boolean, listed: readonly SubjectRequestDeadline[], open: number, overdue: number): string {
  const head = overdueOnly
    ? `${count(overdue, 'request')} past its deadline in ${ledger} at ${now.toISOString()} (of ${count(open, 'open request')}).`
    : `${count(open, 'open request')} in ${ledger} at ${now.toISOString()}, ${overdue} past its deadline.`;
  const rows = table(
    [
      { header: 'subject', value: (r) => r.subjectId },
      { header: 'right', value: (r) => r.right },
      { header: 'received', value: (r) => r.receivedAt },
      { header: 'due by', value: (r) => dayWords(r.dueBy) },
      { header: 'days left', value: (r) => daysLeftWords(r.daysLeft) },
      { header: 'extended', value: (r) => (r.extension ? `from ${dayWords(r.extension.statutoryDueBy)}: ${extensionWords(r.extension.reason)}` : '') },
      { header: 'request', value: (r) => r.requestEventId },
    ],
    listed,
    overdueOnly ? 'no request is past its deadline' : 'no request is open',
  );
  return `${head}\n\n${rows}`;
}
