import { dayWords, daysLeftWords, exportSubject, type Policy, type SubjectExport } from '@custodian/core';
import { MASTER_KEY_ENV, noKeys, openKeyStore } from '../keys';
import { toJson } from '../output/json';
import { historyTable } from '../output/ledger-tables';
import { count, section, table } from '../output/table';
import { showControls } from '../output/terminal';
import { loadPolicy } from '../policy';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';
import { subjectExists } from './subjects';

/** Where the log records no policy and none is given, the export's purpose list is empty. */
const NO_POLICY: Policy = { purposes: new Map(), permissions: {} };

export const exportCommand: Command = {
  name: 'export',
  summary: "a subject's own export (GDPR Art. 15/20): data held, consents, recipients, history, requests",
  description: `Builds the export a subject is entitled to (format custodian.subject-export/1, described in docs/privacy-model.md). Values are decrypted only with --keys <dir> and the master key in ${MASTER_KEY_ENV} (64 hex characters); without them, or once the subject was erased, every value is null. Nothing is recorded: to record an access request and its digest, use ledger.requestAccess().`,
  positionals: [{ name: '<subjectId>', description: 'the subject to export' }],
  options: {
    keys: { type: 'string', value: '<dir>', description: `the key folder (createFileKeyStore); needs ${MASTER_KEY_ENV}` },
    policy: { type: 'string', value: '<file.json>', description: 'the policy for the purposes section, if the log records none' },
  },
  examples: ['custodian export cust-4f9a2c --json > cust-4f9a2c.json', `${MASTER_KEY_ENV}=... custodian export cust-4f9a2c --keys ./keys --json`],
  async run({ io, json, opened, values, positionals }) {
    const subjectId = positionals[0] ?? '';
    const keysDir = stringOption(values, 'keys');
    if (values['keys'] !== undefined && keysDir === undefined) throw new UsageError('--keys needs a folder', 'export');
    const keys = keysDir === undefined ? undefined : openKeyStore(keysDir, io.env, io.cwd, 'export');
    if (!(await subjectExists(opened.store, subjectId))) throw new UsageError(`the ledger holds nothing about subject ${subjectId}`, 'export');
    const loaded = await loadPolicy(opened.store, stringOption(values, 'policy'), io.cwd, 'export');
    if (!loaded) io.stderr.write('custodian: the log records no policy; the purposes section is empty (pass --policy <file.json> to fill it)\n');

    const report = await exportSubject({ store: opened.store, keys: keys ?? noKeys, policy: loaded?.policy ?? NO_POLICY, clock: () => new Date() }, subjectId);

    const held = report.data.length > 0;
    if (!keys) io.stderr.write(`custodian: values were not decrypted, so they are null: pass --keys <dir> and set ${MASTER_KEY_ENV} to decrypt them\n`);
    else if (report.erased) io.stderr.write('custodian: the subject was erased: their values are gone for good and export as null\n');
    else if (held && report.data.every((d) => d.value === null))
      io.stderr.write(`custodian: no key for ${showControls(subjectId)} in ${showControls(keys.directory)}, so values are null\n`);

    io.stdout.write(json ? toJson(report) : textExport(report));
    return EXIT.ok;
  },
};

/** The export for people: one table per section, then the counts. */
function textExport(report: SubjectExport): string {
  const erased = report.erased ? `; erased at ${showControls(report.erasedAt ?? '?')}` : '';
  return [
    `Export of subject ${showControls(report.subjectId)} (${showControls(report.format)}), made ${report.generatedAt}${erased}\n`,
    section('Data held', dataTable(report.data)),
    ...(report.erasedCategories.length > 0 ? [section('Erased categories (the rest kept)', erasedTable(report.erasedCategories))] : []),
    section('Purposes', purposesTable(report.purposes)),
    section('Consents', consentsTable(report.consents)),
    section('Recipients', recipientsTable(report.recipients)),
    section('History', historyTable(report.history)),
    section('Requests', requestsTable(report.requests)),
    section('Requests to answer', openRequestsTable(report.openRequests)),
    `\n${count(report.data.length, 'category', 'categories')}, ${count(report.history.length, 'history entry', 'history entries')}.\n`,
  ].join('');
}

const dataTable = (data: SubjectExport['data']) =>
  table(
    [
      { header: 'category', value: (d) => d.category },
      { header: 'value', value: (d) => d.value ?? '(null)' },
      { header: 'source', value: (d) => d.source },
      { header: 'purposes', value: (d) => d.purposes.join(', ') },
      { header: 'collected', value: (d) => d.collectedAt },
      { header: 'retain until', value: (d) => d.retainUntil },
      {
        header: 'per purpose',
        value: (d) =>
          Object.entries(d.retention)
            .map(([purpose, end]) => `${purpose} until ${end}`)
            .join(', '),
      },
    ],
    data,
  );

const erasedTable = (erased: SubjectExport['erasedCategories']) =>
  table(
    [
      { header: 'category', value: (c) => c.category },
      { header: 'erased at', value: (c) => c.erasedAt },
      { header: 'reason', value: (c) => c.reason },
      { header: 'recipients notified', value: (c) => c.recipientsNotified.join(', ') },
      { header: 'event', value: (c) => c.eventId },
    ],
    erased,
  );

const purposesTable = (purposes: SubjectExport['purposes']) =>
  table(
    [
      { header: 'purpose', value: (p) => p.purpose },
      { header: 'legal basis', value: (p) => p.legalBasis },
      { header: 'retention', value: (p) => p.retention },
      { header: 'categories', value: (p) => p.categories.join(', ') },
      { header: 'sharing', value: (p) => (p.sharing ? 'yes' : 'no') },
    ],
    purposes,
  );

const consentsTable = (consents: SubjectExport['consents']) =>
  table(
    [
      { header: 'purpose', value: ([purpose]) => purpose },
      { header: 'status', value: ([, c]) => c.status },
      { header: 'since', value: ([, c]) => c.since },
      { header: 'notice', value: ([, c]) => (c.notice ? `${c.notice.id} ${c.notice.version}` : '') },
    ],
    Object.entries(consents),
  );

const recipientsTable = (recipients: SubjectExport['recipients']) =>
  table(
    [
      { header: 'recipient', value: (r) => r.recipientId },
      { header: 'name', value: (r) => r.name ?? '' },
      { header: 'country', value: (r) => r.country ?? '' },
      { header: 'categories', value: (r) => r.categories.join(', ') },
      { header: 'first shared', value: (r) => r.firstSharedAt },
      { header: 'erasure', value: (r) => r.erasure },
    ],
    recipients,
  );

const requestsTable = (requests: SubjectExport['requests']) =>
  table(
    [
      { header: 'at', value: (q) => q.at },
      { header: 'type', value: (q) => q.type },
      { header: 'event', value: (q) => q.eventId },
    ],
    requests,
  );

const openRequestsTable = (open: SubjectExport['openRequests']) =>
  table(
    [
      { header: 'right', value: (q) => q.right },
      { header: 'received', value: (q) => q.receivedAt },
      { header: 'due by', value: (q) => dayWords(q.dueBy) },
      { header: 'days left', value: (q) => daysLeftWords(q.daysLeft) },
      { header: 'extended', value: (q) => q.extension?.reason ?? '' },
      { header: 'request', value: (q) => q.requestEventId },
    ],
    open,
    'no request is open',
  );
