import { describe, expect, it } from '@jest/globals';
import type { Actor } from '../events';
import { definePolicy, Operation, type Policy } from './define-policy';
import { mayPerform, RECIPIENT_CONFIRMATIONS, rolesFor, SUBJECT_RIGHTS } from './permissions';

const purposes = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment', 'support'], retention: 'P6Y' },
  },
}).purposes;
/** Built by hand, not by definePolicy: nothing filled in. */
const bare: Policy = { purposes, permissions: {} };
const service = (roles: string[]): Actor => ({ id: 'some-service', kind: 'service', roles });

describe('mayPerform', () => {
  it('leaves an operation a hand-built policy names no roles for to privacy, not to anyone', () => {
    expect(mayPerform(bare, { operation: 'erase', actor: service(['marketing']), subjectId: 's-1' })).toEqual({
      ok: false,
      reason: 'role_missing',
      requiredRoles: ['privacy'],
      detail: 'erase needs one of the roles privacy; actor some-service has none',
    });
    expect(mayPerform(bare, { operation: 'erase', actor: service(['privacy']), subjectId: 's-1' })).toEqual({ ok: true });
    expect(rolesFor(bare, 'verifyRecipient')).toEqual(['privacy']);
  });

  it('leaves collect to the roles of the purposes named, and to no one when none is declared', () => {
    expect(rolesFor(bare, 'collect', ['order.fulfilment', 'marketing.email'])).toEqual(['fulfilment', 'support', 'marketing']);
    expect(mayPerform(bare, { operation: 'collect', actor: service(['marketing']), subjectId: 's-1', purposes: ['order.fulfilment'] })).toMatchObject({
      ok: false,
      requiredRoles: ['fulfilment', 'support'],
    });
    expect(mayPerform(bare, { operation: 'collect', actor: service(['privacy']), subjectId: 's-1', purposes: ['no.such'] })).toEqual({
      ok: false,
      reason: 'role_missing',
      requiredRoles: [],
      detail: 'collect needs a role of one of the purposes named, and they name none; actor some-service has none',
    });
  });

  it('gives the roles the policy names for collect precedence over the purposes’ roles', () => {
    const named: Policy = { purposes, permissions: { collect: ['checkout'] } };
    expect(mayPerform(named, { operation: 'collect', actor: service(['fulfilment']), subjectId: 's-1', purposes: ['order.fulfilment'] })).toMatchObject({ ok: false });
    expect(mayPerform(named, { operation: 'collect', actor: service(['checkout']), subjectId: 's-1', purposes: ['order.fulfilment'] })).toEqual({ ok: true });
  });

  it('refuses a subject another subject’s stream, or a recipient’s, whatever roles they hold', () => {
    const other: Actor = { id: 's-2', kind: 'subject', roles: ['privacy', 'marketing'] };
    for (const operation of ['use', 'share', 'withdrawConsent', 'erase'] as const)
      expect(mayPerform(bare, { operation, actor: other, subjectId: 's-1' })).toMatchObject({ ok: false, reason: 'not_own_data', requiredRoles: [] });
    expect(mayPerform(bare, { operation: 'registerRecipient', actor: other })).toMatchObject({ ok: false, reason: 'not_own_data' });
  });

  it('lets a recipient confirm, with no role, what it was asked to do, in its own name only, and nothing else', () => {
    const agency: Actor = { id: 'agency', kind: 'recipient', roles: [] };
    expect([...RECIPIENT_CONFIRMATIONS].sort()).toEqual(['confirmRecipientErasure', 'confirmRecipientNotice']);
    for (const operation of Operation.options) {
      const own = mayPerform(bare, { operation, actor: agency, subjectId: 's-1', recipientId: 'agency' });
      expect({ operation, ok: own.ok }).toEqual({ operation, ok: RECIPIENT_CONFIRMATIONS.has(operation) });
    }
    expect(mayPerform(bare, { operation: 'confirmRecipientNotice', actor: agency, subjectId: 's-1', recipientId: 'carrier' })).toMatchObject({ ok: false, reason: 'role_missing' });
    const employee: Actor = { id: 'agency', kind: 'employee', roles: [] };
    expect(mayPerform(bare, { operation: 'confirmRecipientNotice', actor: employee, subjectId: 's-1', recipientId: 'agency' })).toMatchObject({
      ok: false,
      reason: 'role_missing',
    });
  });

  it('lets a subject exercise their own rights on their own stream with no role, and nothing else', () => {
    const own: Actor = { id: 's-1', kind: 'subject', roles: [] };
    expect([...SUBJECT_RIGHTS].sort()).toEqual(['applyPrivacySignal', 'grantConsent', 'object', 'requestAccess', 'requestErasure', 'restrict', 'withdrawConsent']);
    for (const operation of Operation.options) {
      const decided = mayPerform(bare, { operation, actor: own, subjectId: 's-1', purposes: ['order.fulfilment'] });
      if (SUBJECT_RIGHTS.has(operation)) expect(decided).toEqual({ ok: true });
      else
        expect(decided).toMatchObject({
          ok: false,
          reason: 'role_missing',
          detail: `${operation} needs one of the roles ${rolesFor(bare, operation, ['order.fulfilment']).join(', ')}; actor s-1 has none`,
        });
    }
    for (const operation of ['use', 'access', 'share'] as const) expect(mayPerform(bare, { operation, actor: own, subjectId: 's-1' })).toEqual({ ok: true });
  });

  it('gives no one but the subject the subject’s rights without a role', () => {
    for (const kind of ['employee', 'service', 'recipient'] as const)
      expect(mayPerform(bare, { operation: 'grantConsent', actor: { id: 's-1', kind, roles: ['support'] }, subjectId: 's-1' })).toEqual({
        ok: false,
        reason: 'role_missing',
        requiredRoles: ['privacy'],
        detail: 'grantConsent needs one of the roles privacy; actor s-1 has none',
      });
  });

  it('lets a service pass on a customer’s privacy signal only with a role named for applyPrivacySignal, privacy by default', () => {
    const web = service(['web']);
    expect(mayPerform(bare, { operation: 'applyPrivacySignal', actor: web, subjectId: 's-1' })).toMatchObject({ ok: false, reason: 'role_missing', requiredRoles: ['privacy'] });
    const named: Policy = { purposes, permissions: { applyPrivacySignal: ['web'] } };
    expect(mayPerform(named, { operation: 'applyPrivacySignal', actor: web, subjectId: 's-1' })).toEqual({ ok: true });
    expect(mayPerform(named, { operation: 'applyPrivacySignal', actor: service(['privacy']), subjectId: 's-1' })).toMatchObject({ ok: false, requiredRoles: ['web'] });
    expect(mayPerform(named, { operation: 'applyPrivacySignal', actor: { id: 's-1', kind: 'subject', roles: [] }, subjectId: 's-1' })).toEqual({ ok: true });
  });

  it('leaves uses, accesses and shares by any other actor to the purpose rules', () => {
    for (const operation of ['use', 'access', 'share'] as const)
      expect(mayPerform(bare, { operation, actor: { id: 'intern', kind: 'employee', roles: [] }, subjectId: 's-1' })).toEqual({ ok: true });
  });

  it('allows an actor holding one allowed role among others, and lists every role allowed when refusing', () => {
    const named: Policy = { purposes, permissions: { erase: ['dpo', 'privacy'] } };
    expect(mayPerform(named, { operation: 'erase', actor: service(['support', 'privacy']), subjectId: 's-1' })).toEqual({ ok: true });
    expect(mayPerform(named, { operation: 'erase', actor: service(['support', 'marketing']), subjectId: 's-1' })).toEqual({
      ok: false,
      reason: 'role_missing',
      requiredRoles: ['dpo', 'privacy'],
      detail: 'erase needs one of the roles dpo, privacy; actor some-service has none',
    });
  });

  it('names each role of the purposes collected for once', () => {
    expect(rolesFor(bare, 'collect', ['order.fulfilment', 'order.fulfilment', 'marketing.email'])).toEqual(['fulfilment', 'support', 'marketing']);
    expect(rolesFor(bare, 'collect')).toEqual([]);
  });

  it('says which subject rule refused, naming the operation only', () => {
    expect(mayPerform(bare, { operation: 'erase', actor: { id: 's-2', kind: 'subject', roles: [] }, subjectId: 's-1' })).toEqual({
      ok: false,
      reason: 'not_own_data',
      requiredRoles: [],
      detail: 'a subject may act only on their own data; erase is refused',
    });
  });
});
