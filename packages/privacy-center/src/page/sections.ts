import { clockWords, daysLeftWords, dayWords, escapeHtml as e, KINDS, listWords, rightWords, timeWords, type TimelineItem } from '@custodian/core';
import type { CenterPage, CenterPurpose } from './model';

/** A sentence of the ledger's words, ended once. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
const none = (text: string) => `<p class="small">${e(text)}</p>`;

export function chainSection(page: CenterPage): string {
  const { chain } = page;
  return chain.ok
    ? `<p class="ok" data-chain="intact">Your history checked out: none of the ${chain.checked} events recorded about you was changed, and none is missing from between them.</p>`
    : `<p class="broken" data-chain="broken">Warning: your history failed its check at event ${e(chain.brokenAtEventId ?? '')}: ${e(chain.explanation ?? '')}. Only what came before it is shown.</p>`;
}

/** Which signed checkpoint her history stands in, and where she gets the note to check it herself. */
export function checkpointSection(page: CenterPage): string {
  const { checkpoint } = page;
  if (!checkpoint) return '';
  const newer = checkpoint.of - checkpoint.covered;
  const counted = newer === 0 ? `All ${checkpoint.of} of your events are` : `${checkpoint.covered} of your ${checkpoint.of} events are`;
  return `<p class="small" data-checkpoint="${checkpoint.size}">${counted} in the log as the company signed it: checkpoint of ${e(checkpoint.origin)}, ${checkpoint.size} events, root <code>${e(checkpoint.root)}</code> (<a href="${e(checkpoint.url)}">download the signed checkpoint</a>)${newer > 0 ? `; ${newer} came after it, for the next checkpoint to sign` : ''}. Each receipt below proves one of your acts is in it, checkable with the company's public key alone.</p>`;
}

export function dataSection(page: CenterPage): string {
  const rows = page.data.map(
    (held) =>
      `<li><span class="tag">${e(held.category)}</span> <span class="small">from ${e(held.source)} on ${e(dayWords(held.collectedAt))}, for ${e(listWords(held.purposes))}; ${e(held.kept)}</span></li>`,
  );
  const erasure = page.erasure.erased
    ? `<p data-erased="true">All your data was erased on ${e(timeWords(page.erasure.erasedAt ?? ''))}.</p>`
    : page.erasure.requestedAt
      ? `<p>You asked for your data to be erased on ${e(timeWords(page.erasure.requestedAt))}.</p>`
      : '';
  return `<section aria-labelledby="data-title"><h2 id="data-title">The kinds of data we hold about you, and why</h2>
${rows.length ? `<ul>${rows.join('')}</ul>` : none('We hold no data about you.')}${erasure}
<p class="small">This page names kinds of data, never the data itself: ask for your copy below to see it.</p></section>`;
}

function consentWords(p: CenterPurpose): string {
  if (p.legalBasis !== 'consent') return '';
  if (!p.consent) return ' <span class="status status-none">no consent given</span>';
  const notice = p.consent.notice ? `, under notice ${e(p.consent.notice.id)} version ${e(p.consent.notice.version)}` : '';
  return ` <span class="status status-${e(p.consent.status)}" data-consent="${e(p.consent.status)}">${e(p.consent.status)}</span> <span class="small">since ${e(timeWords(p.consent.since))}${notice}</span>`;
}

export function purposesSection(page: CenterPage, form: (path: string, label: string, fields?: Record<string, string>) => string): string {
  const rows = page.purposes.map((p) => {
    const actions = [
      p.canGrant ? form('/consent/grant', 'Give my consent', { purpose: p.purpose }) : '',
      p.canWithdraw ? form('/consent/withdraw', 'Withdraw my consent', { purpose: p.purpose }) : '',
      p.canObject ? form('/object', 'Object to this', { purpose: p.purpose }) : '',
    ].join('');
    return `<li data-purpose="${e(p.purpose)}"><span class="tag">${e(p.purpose)}</span>${p.description ? ` ${e(p.description)}` : ''}<br><span class="small">Allowed by ${e(p.basis)}.</span>${consentWords(p)}${actions ? `<br>${actions}` : ''}</li>`;
  });
  return `<section aria-labelledby="purposes-title"><h2 id="purposes-title">What your data is used for</h2>
${rows.length ? `<ul>${rows.join('')}</ul>` : none('Your data is used for nothing.')}
<p class="small">A consent you give here is given under our notice <span class="tag">${e(page.notice.id)}</span> version ${e(page.notice.version)}.</p></section>`;
}

function entry(item: TimelineItem): string {
  const to = item.recipients.map((r) => `${r.name ?? r.id}${r.country ? ` (${r.country})` : ''}`);
  return `<li data-kind="${e(item.kind)}"><time datetime="${e(item.at)}">${e(dayWords(item.at))} ${e(clockWords(item.at))}</time>: <strong>${e(KINDS[item.kind].label)}</strong>. ${e(sentence(item.what))}<br><span class="small">Who: ${e(item.who)}. Why: ${e(sentence(item.why))}${to.length ? ` To: ${e(listWords(to))}.` : ''}${item.activity ? ` Activity: ${e(item.activity)}.` : ''}</span></li>`;
}

/** Her timeline in words depends on its items alone; the same items, kept with her streams between visits, are put in words once. */
const timelineHtml = new WeakMap<readonly TimelineItem[], string>();

export function timelineSection(page: CenterPage): string {
  const made = timelineHtml.get(page.timeline);
  if (made !== undefined) return made;
  const html = `<section aria-labelledby="timeline-title"><h2 id="timeline-title">Every use, access and share of your data, oldest first</h2>
${page.timeline.length ? `<ol class="timeline">${page.timeline.map(entry).join('')}</ol>` : none('Nothing has been recorded about you yet.')}</section>`;
  timelineHtml.set(page.timeline, html);
  return html;
}

export function recipientsSection(page: CenterPage): string {
  const rows = page.recipients.map(
    (r) =>
      `<li data-recipient="${e(r.id)}"><strong>${e(r.name ?? r.id)}</strong>${r.country ? ` (${e(r.country)})` : ''}: ${e(listWords(r.categories))} for ${e(listWords(r.purposes))}; <span data-erasure="${e(r.erasure)}">${e(r.copy)}</span></li>`,
  );
  return `<section aria-labelledby="recipients-title"><h2 id="recipients-title">Companies that hold a copy</h2>
${rows.length ? `<ul>${rows.join('')}</ul>` : none('No other company was given your data.')}</section>`;
}

export function requestsSection(page: CenterPage): string {
  const rows = page.openRequests.map(
    (q) =>
      `<li data-request="${e(q.requestEventId)}" data-days-left="${q.daysLeft}">${e(rightWords(q.right))}: <span class="status status-${q.overdue ? 'overdue' : 'open'}">${e(daysLeftWords(q.daysLeft))}</span> <span class="small">asked ${e(dayWords(q.receivedAt))}, to be answered by ${e(dayWords(q.dueBy))}</span></li>`,
  );
  return `<section aria-labelledby="requests-title"><h2 id="requests-title">Your requests still to be answered</h2>
${rows.length ? `<ul>${rows.join('')}</ul>` : none('None: every request of yours was answered.')}</section>`;
}

export function receiptsSection(page: CenterPage): string {
  const { receipts } = page;
  const rows = receipts.acts.map(
    (act) =>
      `<li>${e(timeWords(act.at))}: ${e(act.what)}${act.url ? ` <a href="${e(act.url)}" download>Download the receipt</a>` : ''} <span class="small">(${e(act.eventType)} ${e(act.eventId)})</span></li>`,
  );
  const note = receipts.available
    ? 'Each receipt is the ledger’s own record of your act; check it with our public key.'
    : 'This service does not sign its ledger, so it cannot give you receipts for your choices.';
  return `<section aria-labelledby="receipts-title"><h2 id="receipts-title">Your choices and requests, with their receipts</h2>
${rows.length ? `<ul>${rows.join('')}</ul>` : none('You have made no choice or request yet.')}<p class="small" data-receipts="${receipts.available ? 'available' : 'unavailable'}">${e(note)}</p></section>`;
}
