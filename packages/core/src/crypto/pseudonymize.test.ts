import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { ValidationError } from '../errors';
import { pseudonymize } from './pseudonymize';

const secret = 'a-service-secret-of-32-bytes-ok!';

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('pseudonymize accepted it');
}

describe('pseudonymize', () => {
  it('is s- and the hex HMAC-SHA-256 of the trimmed, lower-cased identifier under the secret', () => {
    const expected = `s-${createHmac('sha256', secret).update('zoe@example.com').digest('hex')}`;
    expect(pseudonymize(secret, 'zoe@example.com')).toBe(expected);
    expect(pseudonymize(secret, '  Zoe@Example.COM \n')).toBe(expected);
    expect(pseudonymize(Buffer.from(secret), 'zoe@example.com')).toBe(expected);
    expect(expected).toMatch(/^s-[0-9a-f]{64}$/);
  });

  it('gives other ids for other identifiers and under other secrets', () => {
    const id = pseudonymize(secret, 'zoe@example.com');
    expect(pseudonymize(secret, 'zoé@example.com')).not.toBe(id);
    expect(pseudonymize(`${secret}x`, 'zoe@example.com')).not.toBe(id);
  });

  it('takes a secret of 16 bytes or more, counted in bytes, and refuses a shorter one', () => {
    expect(pseudonymize('x'.repeat(16), 'a')).toMatch(/^s-/);
    expect(pseudonymize('é'.repeat(8), 'a')).toMatch(/^s-/);
    expect(pseudonymize(new Uint8Array(16), 'a')).toMatch(/^s-/);
    for (const short of ['x'.repeat(15), 'é'.repeat(7) + 'x', new Uint8Array(15), '']) {
      const error = refusal(() => pseudonymize(short, 'a'));
      expect({ what: error.what, issues: error.issues }).toEqual({ what: 'pseudonymize', issues: [{ path: 'secret', message: 'must be at least 16 bytes' }] });
    }
  });

  it('refuses an empty or non-string identifier, and names every problem at once without echoing the identifier', () => {
    expect(refusal(() => pseudonymize(secret, '')).issues).toEqual([{ path: 'identifier', message: 'must be a non-empty string' }]);
    expect(refusal(() => pseudonymize(secret, 42 as unknown as string)).issues).toEqual([{ path: 'identifier', message: 'must be a non-empty string' }]);
    const both = refusal(() => pseudonymize('short', ''));
    expect(both.issues).toEqual([
      { path: 'secret', message: 'must be at least 16 bytes' },
      { path: 'identifier', message: 'must be a non-empty string' },
    ]);
    expect(refusal(() => pseudonymize('short', 'zoe@example.com')).message).not.toContain('zoe');
  });
});
