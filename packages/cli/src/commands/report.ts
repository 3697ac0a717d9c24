import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { renderHtmlReport } from '../output/html-report';
import { toJson } from '../output/json';
import { count, section, table } from '../output/table';
import { showControls as s } from '../output/terminal';
import { changeWords, copyWords, dayWords, daysLeftWords, erasureReasonWords, KINDS, listWords as list, retentionWords, rightWords, timeWords } from '@custodian/core';
import { buildSubjectReport, type SubjectReport } from '../report/subject-report';
import { stringOption, UsageError } from '../usage';
import { EXIT, type Command } from './command';

export const report: Command = {
  name: 'report',
  summary: "one subject's data lifecycle, as a timeline people can read (plain, JSON or an HTML page)",
  description:
    "Tells one subject's story from their stream: what was collected, consented to, used, shared, refused, withdrawn and erased, with who did it and why (purpose, legal basis or refusal reason, recipient). Shows kinds of data (categories), never the values. With --html, writes a self-contained page (no scripts, no external requests) to print or send. The subject's hash chain is checked first: a broken chain is reported and the timeline stops before the broken link.",
  positionals: [{ name: '<subjectId>', description: 'the subject whose history to tell' }],
  options: {
    html: { type: 'string', value: '<file>', description: 'also write the report as an HTML page to <file>' },
  },
  examples: ['custodian report cust-4f9a2c', 'custodian report cust-4f9a2c --html cust-4f9a2c.html', 'custodian report cust-4f9a2c --json'],
  findings: "the subject's chain is broken",
  async run({ io, json, opened, values, positionals }) {
    const subjectId = positionals[0] ?? '';
    const htmlOption = stringOption(values, 'html');
    if (values['html'] !== undefined && htmlOption === undefined) throw new UsageError('--html needs a file name', 'report');
    const htmlPath = htmlOption === undefined ? undefined : resolve(io.cwd, htmlOption);
    if (htmlPath !== undefined) {
      if (!existsSync(dirname(htmlPath))) throw new UsageError(`cannot write ${htmlPath}: the folder ${dirname(htmlPath)} does not exist`, 'report');
      if (existsSync(htmlPath) && statSync(htmlPath).isDirectory()) throw new UsageError(`cannot write ${htmlPath}: it is a folder`, 'report');
    }

    const built = await buildSubjectReport(opened.store, subjectId, { ledger: opened.label, now: new Date() });
    if (!built) throw new UsageError(`the ledger holds nothing about subject ${subjectId}`, 'report');
    if (htmlPath !== undefined) await writeFile(htmlPath, renderHtmlReport(built));

    if (json) io.stdout.write(toJson({ ...built, ...(htmlPath !== undefined && { html: htmlPath }) }));
    else {
      io.stdout.write(textReport(built));
      if (htmlPath !== undefined) io.stdout.write(`\nWrote the HTML report to ${htmlPath}\n`);
    }
    if (!built.chain.ok) io.stderr.write(`custodian: the chain of subject ${s(subjectId)} is broken; the report stops before the broken link\n`);
    return built.chain.ok ? EXIT.ok : EXIT.findings;
  },
};

function textReport(r: SubjectReport): string {
  const chain = r.chain.ok
    ? `history verified: ${count(r.chain.checked, 'event')}, no link broken; removal of the latest events cannot be ruled out without a checkpoint`
    : `history BROKEN at revision ${String(r.chain.broken?.revision)}: ${s(r.chain.broken?.explanation ?? '')}; only the events before it are shown`;
  const o = r.overview;
  const overview = [
    `  holds:       ${o.categories.length ? s(o.categories.map((c) => `${c.category} (for ${list(c.purposes)}; ${o.erased ? 'erased' : retentionWords(c.retention, c.retainUntil)})`).join(', ')) : 'nothing'}${o.erased ? ` - erased on ${timeWords(o.erasedAt ?? '')}` : ''}`,
    ...(o.erasedCategories.length
      ? [`  erased:      ${s(o.erasedCategories.map((c) => `${c.category} (${erasureReasonWords(c.reason)} on ${timeWords(c.erasedAt)})`).join(', '))}`]
      : []),
    `  consent:     ${o.consents.length ? s(o.consents.map((c) => `${c.purpose} ${c.status}`).join(', ')) : 'none recorded'}`,
    `  shared with: ${o.recipients.length ? s(o.recipients.map((x) => `${x.name ?? x.id} (${x.categories.join(', ')}; ${copyWords(x)})`).join(', ')) : 'no one'}`,
    `  to answer:   ${o.openRequests.length ? o.openRequests.map((q) => `${rightWords(q.right)}, asked ${dayWords(q.receivedAt)}, due by ${dayWords(q.dueBy)} (${daysLeftWords(q.daysLeft)}${q.extension ? ', extended' : ''})`).join('; ') : 'no open request'}`,
    `  still owed:  ${o.noticesOwed.length ? s(o.noticesOwed.map((n) => `${n.name ?? n.recipientId} to be told of ${changeWords(n)}, since ${timeWords(n.owedAt)}`).join('; ')) : 'no notice to any recipient'}`,
  ].join('\n');
  const timeline = table(
    [
      { header: 'when (UTC)', value: (i) => i.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') },
      { header: 'what', value: (i) => KINDS[i.kind].label.toLowerCase() },
      { header: 'who', value: (i) => i.who },
      { header: 'details', value: (i) => `${i.what}${i.activity ? ` Activity: ${i.activity}.` : ''} ${i.why}` },
    ],
    r.items,
  );
  return `Data lifecycle of subject ${s(r.subjectId)} (${chain})\n${section('Where things stand', `${overview}\n`)}${section('Timeline', timeline)}`;
}
