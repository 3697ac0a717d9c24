import { randomBytes } from 'node:crypto';
import { z } from '@custodian/core';
import { InvalidTokenError, NotSignedInError } from '../errors';
import type { Sealer } from './signed';

export const SESSION_COOKIE = 'custodian_pc';

/** Who is asking, as the center knows her: her subject id and the id of this session, which form tokens are bound to. */
export interface Session {
  readonly subjectId: string;
  readonly sessionId: string;
  readonly expiresAt: number;
}

const SessionPayload = z.strictObject({ s: z.string().min(1).max(200), i: z.string().min(16).max(64), e: z.number().int().positive() });

export function newSession(subjectId: string, expiresAt: number): Session {
  return { subjectId, sessionId: randomBytes(16).toString('base64url'), expiresAt };
}

export function sessionCookie(sealer: Sealer, session: Session, options: { path: string; secure: boolean; now: Date }): string {
  const value = sealer.sign('session', { s: session.subjectId, i: session.sessionId, e: session.expiresAt });
  const maxAge = Math.max(0, Math.floor((session.expiresAt - options.now.getTime()) / 1000));
  return `${SESSION_COOKIE}=${value}; Path=${options.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
}

/** The value of one cookie of a `Cookie` header. */
export function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The session the cookie holds; a forged one is refused, an expired or absent one asks her to sign in. */
export function openSession(sealer: Sealer, cookie: string | undefined, now: Date): Session {
  if (cookie === undefined || cookie === '') throw new NotSignedInError();
  const opened = sealer.open('session', cookie, SessionPayload);
  if (!opened.ok) throw new InvalidTokenError();
  if (opened.payload.e <= now.getTime()) throw new NotSignedInError();
  return { subjectId: opened.payload.s, sessionId: opened.payload.i, expiresAt: opened.payload.e };
}
