import { randomBytes } from 'node:crypto';
import { z } from '@custodian/core';
import { CsrfError } from '../errors';
import type { Sealer } from './signed';

/** A form token: bound to one session, good for one action, until it expires. */
const CsrfPayload = z.strictObject({ i: z.string().min(1).max(300), n: z.string().min(16).max(64), e: z.number().int().positive() });

export interface CsrfGuard {
  /** A fresh token for a page of this session. */
  issue(sessionId: string, now: Date): string;
  /** Accepts a token once: the session's, unexpired, never used before. */
  consume(token: string | undefined, sessionId: string, now: Date): void;
}

/** Used nonces are remembered until their token expires: a token can no longer be replayed after that either. */
export function createCsrfGuard(sealer: Sealer, ttlMs: number): CsrfGuard {
  const used = new Map<string, number>();
  const forget = (now: number) => {
    for (const [nonce, expiresAt] of used) if (expiresAt <= now) used.delete(nonce);
  };
  return {
    issue(sessionId, now) {
      return sealer.sign('csrf', { i: sessionId, n: randomBytes(16).toString('base64url'), e: now.getTime() + ttlMs });
    },
    consume(token, sessionId, now) {
      if (token === undefined || token === '') throw new CsrfError('CSRF_MISSING');
      const opened = sealer.open('csrf', token, CsrfPayload);
      if (!opened.ok || opened.payload.i !== sessionId || opened.payload.e <= now.getTime()) throw new CsrfError('CSRF_INVALID');
      forget(now.getTime());
      if (used.has(opened.payload.n)) throw new CsrfError('CSRF_REUSED');
      used.set(opened.payload.n, opened.payload.e);
    },
  };
}
