import { EventNotInLogError, NoReceiptForEventError, ValidationError, viewOf, type Receipt } from '@custodian/core';
import { parseForm, runAction, type ActionName } from '../actions';
import type { Session } from '../auth';
import { NoCheckpointError, NoReceiptError, ReceiptsUnavailableError } from '../errors';
import { download, htmlResponse, jsonResponse, readFields, wantsJson } from '../http';
import { pageOf, renderDone, renderPage, type CheckpointCoverage } from '../page';
import type { CenterContext } from './context';

/** Her page, as HTML or as JSON, with a fresh form token. */
export async function pageRoute(center: CenterContext, request: Request, session: Session, now: Date): Promise<Response> {
  const { ledger, settings, checkpointer, receiptUrl } = center;
  const streams = await center.subjects.read(session.subjectId, now);
  const view = streams && viewOf(streams, { now, policy: ledger.policy });
  const csrfToken = center.csrf.issue(session.sessionId, now);
  const data = pageOf(view, {
    subjectId: session.subjectId,
    now,
    policy: ledger.policy,
    notice: settings.notice,
    receiptsAvailable: checkpointer !== undefined,
    receiptUrl,
    csrfToken,
    checkpoint: checkpointer && ((eventIds) => coverage(center, eventIds)),
  });
  return wantsJson(request) ? jsonResponse(data) : htmlResponse(renderPage(data, center.render));
}

/** How many of her events the latest signed checkpoint's tree holds: leaves at an index below its size. */
function coverage({ checkpointer, render }: CenterContext, eventIds: readonly string[]): CheckpointCoverage | undefined {
  const latest = checkpointer?.latest();
  if (!checkpointer || !latest) return undefined;
  const { origin, size, root } = latest.checkpoint;
  const covered = eventIds.filter((id) => (checkpointer.log.indexOf(id) ?? size) < size).length;
  return { origin, size, root: Buffer.from(root).toString('base64'), covered, of: eventIds.length, url: render.href('/checkpoint') };
}

/** The latest signed checkpoint, as published: public, so anyone may fetch it to check a receipt against. */
export function checkpointRoute({ checkpointer }: CenterContext): Response {
  const latest = checkpointer?.latest();
  if (!latest) throw new NoCheckpointError();
  return new Response(latest.note, {
    status: 200,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': 'attachment; filename="checkpoint.txt"',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

/** One of her actions: its form token spent, its fields checked, one ledger command, and its receipt offered. */
export async function actionRoute(center: CenterContext, request: Request, name: ActionName, session: Session, now: Date): Promise<Response> {
  const { ledger, settings, checkpointer, receiptUrl } = center;
  const fields = await readFields(request);
  center.csrf.consume(request.headers.get('x-csrf-token') ?? fields.csrf, session.sessionId, now);
  const outcome = await runAction(name, parseForm(name, fields), { ledger, subjectId: session.subjectId, notice: settings.notice });
  if (outcome.kind === 'export') {
    const { result } = outcome;
    const link: Record<string, string> = checkpointer ? { link: `<${receiptUrl(result.fulfilled.id)}>; rel="receipt"` } : {};
    return download(result.json, `my-data-${now.toISOString().slice(0, 10)}.json`, { 'x-export-digest': result.digest, ...link });
  }
  const url = checkpointer ? receiptUrl(outcome.event.id) : undefined;
  if (wantsJson(request)) return jsonResponse({ done: name, what: outcome.what, eventId: outcome.event.id, eventType: outcome.event.type, receipt: url ?? null });
  return htmlResponse(renderDone({ what: outcome.what, receiptUrl: url }, center.render));
}

/** Her receipt for one of her own acts; any other event, hers or not, is no receipt of hers. */
export async function receiptRoute(center: CenterContext, session: Session, eventId: string): Promise<Response> {
  const { ledger, checkpointer } = center;
  if (!checkpointer) throw new ReceiptsUnavailableError();
  let receipt: Receipt;
  try {
    receipt = await ledger.receipt(eventId, { checkpoint: checkpointer.latest()?.note, log: checkpointer.log });
  } catch (error) {
    if (error instanceof EventNotInLogError || error instanceof NoReceiptForEventError || error instanceof ValidationError) throw new NoReceiptError();
    throw error;
  }
  if (receipt.piiPrincipalId !== session.subjectId) throw new NoReceiptError();
  return download(JSON.stringify(receipt, null, 2), `receipt-${eventId}.json`);
}
