import { describe, expect, it } from '@jest/globals';
import { z } from '@custodian/core';
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
