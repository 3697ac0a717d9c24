import { randomBytes } from 'node:crypto';
import { SubjectId, z } from '@custodian/core';
import { InvalidTokenError, LinkExpiredError } from '../errors';
import type { CodeCheck, CodeGate } from './code';
import type { Sealer } from './signed';

/**
 * What a link carries: her subject id, when it stops opening, a nonce that makes each link its
 * own, and for a link with a code, the code's HMAC (`h`) and the end of its 10 minutes (`c`).
 */
const LinkPayload = z.strictObject({
  s: z.string().min(1).max(200),
  e: z.number().int().positive(),
  n: z.string().min(16).max(64),
  h: z.string().min(40).max(64).optional(),
  c: z.number().int().positive().optional(),
});

export const LinkRequest = z.strictObject({ subjectId: SubjectId, expiresAt: z.date() });
export type LinkRequest = z.infer<typeof LinkRequest>;

/** A link opened: who it is for, and the code it asks for first, if any. */
export interface OpenedLink {
  readonly subjectId: string;
  readonly nonce: string;
  readonly code?: CodeCheck | undefined;
}

/** A token for a link, to be sent to her alone (by email): whoever holds it is taken for her until it expires. */
export function signLink(sealer: Sealer, request: LinkRequest): string {
  return sealer.sign('link', { s: request.subjectId, e: request.expiresAt.getTime(), n: randomBytes(16).toString('base64url') });
}

/** A token for a link that opens only with the code returned beside it, which the host sends her by another channel (SMS). */
export function signCodeLink(sealer: Sealer, gate: CodeGate, request: LinkRequest, now: Date): { readonly token: string; readonly code: string; readonly codeExpiresAt: Date } {
  const nonce = randomBytes(16).toString('base64url');
  const { code, check } = gate.issue(nonce, now);
  const token = sealer.sign('link', { s: request.subjectId, e: request.expiresAt.getTime(), n: nonce, h: check.digest, c: check.until });
  return { token, code, codeExpiresAt: new Date(check.until) };
}

/** The link a token names, if it is ours and not yet expired. */
export function openLink(sealer: Sealer, token: string, now: Date): OpenedLink {
  const opened = sealer.open('link', token, LinkPayload);
  if (!opened.ok) throw new InvalidTokenError();
  const { s, e, n, h, c } = opened.payload;
  if (e <= now.getTime()) throw new LinkExpiredError();
  // Both or neither: a link signed by us never has one without the other.
  if ((h === undefined) !== (c === undefined)) throw new InvalidTokenError();
  return { subjectId: s, nonce: n, code: h !== undefined && c !== undefined ? { digest: h, until: c } : undefined };
}
