import { describe, expect, it } from '@jest/globals';
import { z } from '@custodian/core';
import { CODE_TTL_MS, createCodeGate } from './code';
import { createCsrfGuard } from './csrf';
import { cookieValue } from './session';
import { createSealer } from './signed';

const sealer = createSealer(Buffer.from('a test secret of at least thirty-two bytes'));
const Payload = z.strictObject({ a: z.number() });

describe('signed tokens', () => {
  it('open only with the same kind and an untouched payload', () => {
    const token = sealer.sign('link', { a: 1 });
    expect(sealer.open('link', token, Payload)).toEqual({ ok: true, payload: { a: 1 } });
    expect(sealer.open('session', token, Payload)).toEqual({ ok: false });
    expect(sealer.open('link', `${token}x`, Payload)).toEqual({ ok: false });
    expect(sealer.open('link', sealer.sign('link', { a: 'one' }), Payload)).toEqual({ ok: false });
    expect(sealer.open('link', `${Buffer.from('not json').toString('base64url')}.${token.split('.')[1] ?? ''}`, Payload)).toEqual({ ok: false });
    expect(createSealer(Buffer.from('another secret, also thirty-two bytes')).open('link', token, Payload)).toEqual({ ok: false });
  });
});

describe('form tokens', () => {
  it('are good once, for their session, until they expire; used ones are forgotten once expired', () => {
    const guard = createCsrfGuard(sealer, 1_000);
    const now = new Date(Date.UTC(2026, 0, 1));
    const token = guard.issue('session-1', now);
    expect(() => guard.consume(token, 'session-2', now)).toThrow(expect.objectContaining({ code: 'CSRF_INVALID' }));
    guard.consume(token, 'session-1', now);
    expect(() => guard.consume(token, 'session-1', now)).toThrow(expect.objectContaining({ code: 'CSRF_REUSED' }));
    expect(() => guard.consume(token, 'session-1', new Date(now.getTime() + 1_000))).toThrow(expect.objectContaining({ code: 'CSRF_INVALID' }));
    expect(() => guard.consume(undefined, 'session-1', now)).toThrow(expect.objectContaining({ code: 'CSRF_MISSING' }));
  });
});

describe('cookies', () => {
  it('reads one cookie of a header', () => {
    expect(cookieValue('a=1; custodian_pc=x.y=; b=2', 'custodian_pc')).toBe('x.y=');
    expect(cookieValue(null, 'custodian_pc')).toBeUndefined();
  });
});

describe('codes', () => {
  const now = new Date(Date.UTC(2026, 0, 1));
  const secret = Buffer.from('a test secret of at least thirty-two bytes');

  it('are bound to their link: the same code on another nonce, or under another secret, is wrong', () => {
    const gate = createCodeGate(secret);
    const { code, check } = gate.issue('nonce-of-link-one', now);
    expect(check.digest).not.toContain(code);
    expect(() => gate.verify('nonce-of-link-two', check, code, now)).toThrow(expect.objectContaining({ code: 'CODE_WRONG' }));
    expect(() => createCodeGate(Buffer.from('another secret, also thirty-two bytes')).verify('nonce-of-link-one', check, code, now)).toThrow(
      expect.objectContaining({ code: 'CODE_WRONG' }),
    );
    gate.verify('nonce-of-link-one', check, code, now);
  });

  it('count wrong attempts per link, each link apart; past its 10 minutes a code is refused as expired', () => {
    const gate = createCodeGate(secret);
    const one = gate.issue('nonce-of-link-one', now);
    const two = gate.issue('nonce-of-link-two', now);
    const wrong = (code: string) => (code === '000000' ? '000001' : '000000');
    for (const left of [2, 1]) expect(() => gate.verify('nonce-of-link-one', one.check, wrong(one.code), now)).toThrow(expect.objectContaining({ attemptsLeft: left }));
    expect(() => gate.verify('nonce-of-link-one', one.check, wrong(one.code), now)).toThrow(expect.objectContaining({ code: 'CODE_LOCKED' }));
    expect(gate.assertOpen('nonce-of-link-two', two.check, now)).toBe(3);
    const later = new Date(now.getTime() + CODE_TTL_MS);
    expect(() => gate.assertOpen('nonce-of-link-one', one.check, later)).toThrow(expect.objectContaining({ code: 'CODE_EXPIRED' }));
  });
});
