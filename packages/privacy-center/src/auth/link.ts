import { randomBytes } from 'node:crypto';
import { SubjectId, z } from '@custodian/core';
import { InvalidTokenError, LinkExpiredError } from '../errors';
import type { Sealer } from './signed';

/** What a link carries: her subject id, when it stops opening, and a nonce that makes each link its own. */
const LinkPayload = z.strictObject({ s: z.string().min(1).max(200), e: z.number().int().positive(), n: z.string().min(16).max(64) });

export const LinkRequest = z.strictObject({ subjectId: SubjectId, expiresAt: z.date() });
export type LinkRequest = z.infer<typeof LinkRequest>;

/** A token for a link, to be sent to her alone (by email): whoever holds it is taken for her until it expires. */
export function signLink(sealer: Sealer, request: LinkRequest): string {
  return sealer.sign('link', { s: request.subjectId, e: request.expiresAt.getTime(), n: randomBytes(16).toString('base64url') });
}

/** The subject a link's token names, if it is ours and not yet expired. */
export function openLink(sealer: Sealer, token: string, now: Date): string {
  const opened = sealer.open('link', token, LinkPayload);
  if (!opened.ok) throw new InvalidTokenError();
  if (opened.payload.e <= now.getTime()) throw new LinkExpiredError();
  return opened.payload.s;
}
