import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CodeExpiredError, CodeLockedError, CodeUsedError, CodeWrongError } from '../errors';

/** How long a code is good for from its issue, whatever its link's own expiry; and how many wrong ones kill the link (as Fides does). */
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_ATTEMPTS = 3;

/** What a link with a code carries of it: never the code, only its HMAC (bound to the link's nonce) and when it stops being good. */
export interface CodeCheck {
  readonly digest: string;
  readonly until: number;
}

export interface CodeGate {
  /** A fresh 6-digit code for the link of this nonce, to be sent by another channel, and what the link carries of it. */
  issue(nonce: string, now: Date): { readonly code: string; readonly check: CodeCheck };
  /** Whether the link's code can still be tried: refused once expired, or dead after too many wrong ones. */
  assertOpen(nonce: string, check: CodeCheck, now: Date): number;
  /** Accepts the right code once (it is spent then); a wrong one counts, and the last wrong one kills the link. */
  verify(nonce: string, check: CodeCheck, given: string, now: Date): void;
}

/**
 * The wrong attempts are counted in this process's memory, per link: a restart forgets them, and
 * several processes count apart (each allows its own 3), and so do they remember a spent code. Entries are forgotten once their code
 * expired, since the time check refuses it from then on anyway.
 */
export function createCodeGate(secret: Buffer): CodeGate {
  // A key of its own, so an HMAC of a code can never pass for a token's signature.
  const key = createHmac('sha256', secret).update('custodian privacy-center code').digest();
  const digestOf = (nonce: string, code: string) => createHmac('sha256', key).update(`${nonce}.${code}`).digest();
  const wrong = new Map<string, { count: number; until: number }>();
  const spent = new Map<string, number>();
  const forget = (now: number) => {
    for (const [nonce, entry] of wrong) if (entry.until <= now) wrong.delete(nonce);
    for (const [nonce, until] of spent) if (until <= now) spent.delete(nonce);
  };
  const attemptsLeft = (nonce: string, check: CodeCheck, now: Date): number => {
    if (check.until <= now.getTime()) throw new CodeExpiredError();
    forget(now.getTime());
    if (spent.has(nonce)) throw new CodeUsedError();
    const left = CODE_ATTEMPTS - (wrong.get(nonce)?.count ?? 0);
    if (left <= 0) throw new CodeLockedError();
    return left;
  };
  return {
    issue(nonce, now) {
      const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
      return { code, check: { digest: digestOf(nonce, code).toString('base64url'), until: now.getTime() + CODE_TTL_MS } };
    },
    assertOpen: attemptsLeft,
    verify(nonce, check, given, now) {
      attemptsLeft(nonce, check, now);
      const expected = Buffer.from(check.digest, 'base64url');
      const actual = digestOf(nonce, given);
      if (expected.length === actual.length && timingSafeEqual(expected, actual)) {
        // One-time: whoever saw the link and its code cannot open a second session with them.
        spent.set(nonce, check.until);
        wrong.delete(nonce);
        return;
      }
      const count = (wrong.get(nonce)?.count ?? 0) + 1;
      wrong.set(nonce, { count, until: check.until });
      if (count >= CODE_ATTEMPTS) throw new CodeLockedError();
      throw new CodeWrongError(CODE_ATTEMPTS - count);
    },
  };
}
