import {
  changeWords,
  clockWords,
  copyWords,
  dayWords,
  daysLeftWords,
  erasureReasonWords,
  extensionWords,
  KINDS,
  listWords as list,
  MAIN_KINDS,
  retentionWords,
  rightWords,
  timeWords,
  type RequestDeadline,
  type TimelineItem,
  type TimelineKind,
} from '@custodian/core';
import type { SubjectReport } from '../report/subject-report';
import { escapeHtml as e } from './html';
import { REPORT_CSS } from './report-style';

/**
 * The subject's lifecycle as one self-contained HTML page: inline CSS, no script, no
 * request to anywhere (the CSP forbids it), readable on screen and on paper. It shows
 * kinds of data (categories), never the data itself.
 */
export function renderHtmlReport(report: SubjectReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="custodian report">
<title>Data lifecycle of ${e(report.subjectId)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${header(report)}
${overview(report)}
${legend(report)}
<section aria-labelledby="timeline-title">
<h2 id="timeline-title">Timeline, oldest first</h2>
${report.items.length === 0 ? '<p class="small">Nothing has been recorded about this customer yet.</p>' : `<ol class="timeline">\n${report.items.map(entry).join('\n')}\n</ol>`}
</section>
<footer>
<p>This report lists kinds of data (such as <code>contact.email</code>), never the data itself. Each entry comes from one event in the ledger; its reference lets an auditor look it up.</p>
<p>Made by <code>custodian report</code> on ${e(timeWords(report.generatedAt))} from ${e(report.ledger)}.</p>
</footer>
</main>
</body>
</html>
`;
}

function header(report: SubjectReport): string {
  const { chain } = report;
  const status = chain.ok
    ? `<div class="chain ok" data-chain="intact"><span class="mark" aria-hidden="true">&#10003;</span><p><strong>History checked: none of the ${chain.checked} recorded events of this customer was changed, and none is missing from between them or out of order.</strong><span class="small">They link up unbroken (hash chain verified). Not checked: whether this customer's latest events, or the whole history, were removed from the ledger. The chain cannot show that; only a signed checkpoint of the whole log can (custodian verify --checkpoint).</span></p></div>`
    : `<div class="chain broken" data-chain="broken"><span class="mark" aria-hidden="true">!</span><p><strong>Warning: this history failed verification.</strong><span class="small">At event ${String(chain.broken?.revision ?? '?')} (${e(chain.broken?.eventId ?? '')}) ${e(chain.broken?.explanation ?? '')}. Only the events before it are shown; what follows cannot be trusted.</span></p></div>`;
  return `<header>
<h1>What happened to this customer's data</h1>
<p class="subtitle">Customer <code>${e(report.subjectId)}</code> &middot; report made ${e(timeWords(report.generatedAt))}</p>
${status}
</header>`;
}

function overview(report: SubjectReport): string {
  const { overview: o } = report;
  const none = (text: string) => `<li class="none">${e(text)}</li>`;
  const held = o.categories.length
    ? o.categories
        .map(
          (c) =>
            `<li><span class="tag">${e(c.category)}</span><br><span class="small">from ${e(c.source)}, for ${e(list(c.purposes))}; ${o.erased ? 'erased' : e(retentionWords(c.retention, c.retainUntil))}</span></li>`,
        )
        .join('')
    : none(o.erasedCategories.length ? 'Nothing held any more' : 'Nothing collected');
  const erasedOnTheirOwn = o.erasedCategories
    .map(
      (c) =>
        `<li data-erased-category="${e(c.category)}"><span class="tag">${e(c.category)}</span><br><span class="small">${e(erasureReasonWords(c.reason))} on ${e(timeWords(c.erasedAt))}${c.recipientsNotified.length ? `; erasure notices sent to ${e(list(c.recipientsNotified))}` : ''}</span></li>`,
    )
    .join('');
  const consents = o.consents.length
    ? o.consents
        .map(
          (c) =>
            `<li><span class="tag">${e(c.purpose)}</span> <span class="status status-${e(c.status)}">${e(c.status)}</span><br><span class="small">since ${e(timeWords(c.since))}</span></li>`,
        )
        .join('')
    : none('No consent recorded');
  const shared = o.recipients.length
    ? o.recipients
        .map((r) => {
          return `<li><strong>${e(r.name ?? r.id)}</strong>${r.country ? ` (${e(r.country)})` : ''}<br><span class="small">${r.categories.map(e).join(', ')} for ${e(list(r.purposes))}; ${e(copyWords(r))}</span></li>`;
        })
        .join('')
    : none('Not shared with anyone');
  const owed = o.noticesOwed.length
    ? `<p class="small" data-notices-owed="${o.noticesOwed.length}">Still to be told (GDPR Art. 19): ${o.noticesOwed
        .map((n) => `${e(n.name ?? n.recipientId)}, of ${e(changeWords(n))}, since ${e(timeWords(n.owedAt))}`)
        .join('; ')}.</p>`
    : '';
  const erasure = o.erased
    ? `<p class="small" data-erased="true">All data erased on ${e(timeWords(o.erasedAt ?? ''))}.</p>`
    : o.erasureRequestedAt
      ? `<p class="small">Erasure asked on ${e(timeWords(o.erasureRequestedAt))}.</p>`
      : '';
  return `<section aria-labelledby="overview-title">
<h2 id="overview-title">Where things stand</h2>
<div class="overview">
<div class="card"><h3>Data held</h3><ul>${held}</ul>${erasedOnTheirOwn ? `<h3>Erased, the rest kept</h3><ul>${erasedOnTheirOwn}</ul>` : ''}${erasure}</div>
<div class="card"><h3>Consent today</h3><ul>${consents}</ul></div>
<div class="card"><h3>Shared with</h3><ul>${shared}</ul>${owed}</div>
</div>
${o.openRequests.length ? requestsCard(o.openRequests) : ''}
</section>`;
}

/** The customer's requests still to be answered, each with the days left (GDPR Art. 12(3)). */
function requestsCard(open: readonly RequestDeadline[]): string {
  const items = open.map((q) => {
    const extended = q.extension ? `; extended from ${e(dayWords(q.extension.statutoryDueBy))} because of ${e(extensionWords(q.extension.reason))}` : '';
    const state = q.overdue ? 'overdue' : 'open';
    return `<li data-request="${e(q.requestEventId)}" data-days-left="${q.daysLeft}"><span class="tag">${e(rightWords(q.right))}</span> <span class="status status-${state}">${e(daysLeftWords(q.daysLeft))}</span><br><span class="small">asked ${e(dayWords(q.receivedAt))}, to be answered by ${e(dayWords(q.dueBy))}${extended}</span></li>`;
  });
  return `<div class="card requests"><h3>Requests to answer</h3><ul>${items.join('')}</ul></div>`;
}

function entry(item: TimelineItem): string {
  const facts: string[] = [`<dt>Who</dt><dd class="who">${e(item.who)}</dd>`, `<dt>Why</dt><dd class="why">${e(item.why)}</dd>`];
  if (item.categories.length > 0) facts.push(`<dt>Data</dt><dd class="categories">${item.categories.map((c) => `<span class="tag">${e(c)}</span>`).join('')}</dd>`);
  if (item.activity) facts.push(`<dt>Activity</dt><dd class="activity">${e(item.activity)}</dd>`);
  if (item.recipients.length > 0)
    facts.push(
      `<dt>Recipient</dt><dd class="recipients">${item.recipients
        .map((r) => `${e(r.name ?? r.id)}${r.country ? ` (${e(r.country)})` : ''}${r.agreement ? `, agreement ${e(r.agreement)}` : ''}`)
        .join('; ')}</dd>`,
    );
  return `<li class="entry entry-${item.kind}" data-kind="${item.kind}" data-event-id="${e(item.eventId)}">
<div class="when"><time datetime="${e(item.at)}"><span class="day">${e(dayWords(item.at))}</span>${e(clockWords(item.at))}</time></div>
<div class="body">
<span class="chip">${e(KINDS[item.kind].label)}</span>
<p class="what">${e(item.what)}</p>
<dl class="facts">${facts.join('')}</dl>
${item.detail ? `<p class="detail">Ledger note: ${e(item.detail)}</p>` : ''}
<p class="ref">${e(item.eventType)} ${e(item.eventId)}</p>
</div>
</li>`;
}

function legend(report: SubjectReport): string {
  const present = new Set(report.items.map((item) => item.kind));
  const kinds = [...MAIN_KINDS, ...(Object.keys(KINDS) as TimelineKind[]).filter((kind) => !MAIN_KINDS.includes(kind) && present.has(kind))];
  return `<section aria-labelledby="legend-title" class="legend-section">
<h2 id="legend-title">Legend</h2>
<dl class="legend">
${kinds.map((kind) => `<div data-legend="${kind}"><dt><span class="chip">${e(KINDS[kind].label)}</span></dt><dd>${e(KINDS[kind].meaning)}</dd></div>`).join('\n')}
</dl>
</section>`;
}
