import { z } from '@custodian/core';
import { newSession, openLink, sessionCookie, type CodeCheck } from '../auth';
import { BadFieldError, CodeWrongError, MethodNotAllowedError } from '../errors';
import { htmlResponse, jsonResponse, readFields, redirect, wantsJson } from '../http';
import { renderCodeForm } from '../page';
import type { CenterContext } from './context';

/** The form of a link's code: six digits, and its form token. */
const CodeForm = z.strictObject({ csrf: z.string().max(4_096).optional(), code: z.string().regex(/^[0-9]{6}$/) });

/**
 * Opens a link. A plain one sets her session at once; one with a code first asks for the code
 * (GET), and sets her session only once the right one is posted (POST), with a form token bound
 * to the link, since she has no session yet.
 */
export async function linkRoute(center: CenterContext, request: Request, token: string, now: Date): Promise<Response> {
  const link = openLink(center.sealer, token, now);
  if (link.code === undefined) {
    if (request.method === 'POST') throw new MethodNotAllowedError('GET');
    return openSessionFor(center, request, link.subjectId, now);
  }
  const check = link.code;
  const form = (problem?: string) => codeForm(center, request, { token, nonce: link.nonce, check }, now, problem);
  if (request.method !== 'POST') return form();
  const fields = await readFields(request);
  center.csrf.consume(request.headers.get('x-csrf-token') ?? fields.csrf, linkSessionId(link.nonce), now);
  const { code } = parseCodeForm(fields);
  try {
    center.codes.verify(link.nonce, check, code, now);
  } catch (error) {
    // A page posted by hand gets the form again, with a fresh token; the JSON client gets the error and asks again.
    if (error instanceof CodeWrongError && !wantsJson(request)) return form(error.message);
    throw error;
  }
  return openSessionFor(center, request, link.subjectId, now);
}

/** Her session goes into a cookie, and she is sent to her page, so the token leaves the address. */
function openSessionFor(center: CenterContext, request: Request, subjectId: string, now: Date): Response {
  const { settings, sealer } = center;
  const session = newSession(subjectId, now.getTime() + settings.sessionTtlMs);
  const cookie = sessionCookie(sealer, session, { path: settings.basePath || '/', secure: new URL(request.url).protocol === 'https:', now });
  return redirect(center.render.href('/'), { 'set-cookie': cookie });
}

/** The form asking for the code, while the code can still be tried; 401 when shown again after a wrong one. */
function codeForm(center: CenterContext, request: Request, link: { token: string; nonce: string; check: CodeCheck }, now: Date, problem?: string): Response {
  const { token, nonce, check } = link;
  const attemptsLeft = center.codes.assertOpen(nonce, check, now);
  const csrfToken = center.csrf.issue(linkSessionId(nonce), now);
  const status = problem === undefined ? 200 : 401;
  if (wantsJson(request)) return jsonResponse({ codeRequired: true, csrfToken, attemptsLeft, codeExpiresAt: new Date(check.until).toISOString() }, status);
  return htmlResponse(renderCodeForm({ action: center.render.href(`/link/${token}`), csrfToken, attemptsLeft, problem }, center.render), status);
}

/** Form tokens of the code form are bound to the link, the one thing she holds before her session. */
const linkSessionId = (nonce: string) => `link:${nonce}`;

function parseCodeForm(fields: Record<string, string>): z.output<typeof CodeForm> {
  const parsed = CodeForm.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue || issue.code === 'unrecognized_keys') throw new BadFieldError('body', 'holds a field this form does not have');
  if (issue.path[0] !== 'code') throw new BadFieldError(String(issue.path[0] ?? 'body'), 'is not valid here');
  throw new BadFieldError('code', fields.code === undefined ? 'is missing' : 'must be the 6 digits we sent you');
}
