import { escapeHtml as e, timeWords } from '@custodian/core';
import { actionForm, layout } from './layout';
import type { CenterPage } from './model';
import { chainSection, checkpointSection, dataSection, purposesSection, receiptsSection, recipientsSection, requestsSection, timelineSection } from './sections';

export interface RenderContext {
  /** The service's name, as she knows it. */
  readonly title: string;
  /** The center's own address of a route: `/consent/grant` under its base path. */
  readonly href: (path: string) => string;
}

/** Her page: what is held and why, every use and share, who has a copy, and a form for each of her rights. */
export function renderPage(page: CenterPage, context: RenderContext): string {
  const form = (path: string, label: string, fields: Record<string, string> = {}) => actionForm(context.href(path), page.csrfToken, label, fields);
  const rights = [
    page.restricted ? '<p>Processing of your data is on hold, as you asked.</p>' : `<p>${form('/restrict', 'Put all processing of my data on hold')}</p>`,
    `<p>${form('/object', 'Object to all processing I may object to')}</p>`,
    `<p>${form('/export', 'Download a copy of my data (JSON)')}</p>`,
    page.erasure.erased || page.erasure.requestedAt ? '' : `<p>${form('/erasure', 'Erase my data')}</p>`,
  ].join('\n');
  return layout(
    `Your data at ${context.title}`,
    `<header><h1>Your data at ${e(context.title)}</h1>
<p class="small">You are <span class="tag">${e(page.subjectId)}</span> in our ledger. Page made ${e(timeWords(page.generatedAt))}.</p>
${chainSection(page)}${checkpointSection(page)}</header>
${dataSection(page)}
${purposesSection(page, form)}
${timelineSection(page)}
${recipientsSection(page)}
${requestsSection(page)}
<section aria-labelledby="rights-title"><h2 id="rights-title">Your rights</h2>
${rights}</section>
${receiptsSection(page)}`,
  );
}

/** What she did, said back to her, with its receipt where the ledger is signed. */
export function renderDone(done: { what: string; receiptUrl?: string | undefined }, context: RenderContext): string {
  const receipt = done.receiptUrl
    ? `<p><a href="${e(done.receiptUrl)}" download>Download your receipt</a>: the ledger’s own record of what you did, which you can check with our public key.</p>`
    : '<p class="small" data-receipts="unavailable">This service does not sign its ledger, so it cannot give you a receipt for this.</p>';
  return layout(`Done: ${context.title}`, `<h1>Done</h1>\n<p data-done>${e(done.what)}</p>\n${receipt}\n<p><a href="${e(context.href('/'))}">Back to your page</a></p>`);
}

/** An error she can read: what went wrong and where to go, never a stack trace. */
export function renderError(error: { status: number; code: string; message: string }, context: RenderContext): string {
  return layout(
    `${error.status}: ${context.title}`,
    `<h1>Sorry, that did not work</h1>\n<p data-error="${e(error.code)}">${e(error.message)}</p>\n<p class="small">Error ${error.status}, ${e(error.code)}.</p>\n<p><a href="${e(context.href('/'))}">Back to your page</a></p>`,
  );
}
