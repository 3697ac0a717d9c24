import { describe, expect, it } from '@jest/globals';
import type { Actor } from '../events';
import { definePolicy } from './define-policy';
import { checkUse, standingObjection, type RecipientFacts, type SubjectFacts, type UseRequest } from './rules';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email', 'contact.phone'], roles: ['marketing', 'growth'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address', 'contact.phone'], roles: ['fulfilment'], retention: 'P6Y' },
    'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['fraud'], retention: 'P1Y' },
  },
});

const now = new Date('2026-06-01T00:00:00.000Z');
const later = '2030-01-01T00:00:00.000Z';
const service = (roles: string[]): Actor => ({ id: 'some-service', kind: 'service', roles });

/** Email and phone collected together by `c-1`, the address later by `c-2`; consent for marketing given by `g-1`. */
const subject: SubjectFacts = {
  collected: new Map([
    ['contact.email', { eventId: 'c-1', retainUntil: later }],
    ['contact.phone', { eventId: 'c-1', retainUntil: later }],
    ['contact.address', { eventId: 'c-2', retainUntil: later }],
  ]),
  consents: new Map([['marketing.email', { status: 'granted' as const, eventId: 'g-1' }]]),
  objections: [],
};
const verified: RecipientFacts = { registered: { eventId: 'r-1', agreement: 'dpa-1' }, verified: { eventId: 'r-2' } };

const request = (overrides: Partial<UseRequest> = {}): UseRequest => ({
  operation: 'use',
  actor: service(['marketing']),
  purpose: 'marketing.email',
  categories: ['contact.email'],
  now,
  ...overrides,
});
const fulfil = (overrides: Partial<UseRequest> = {}) => request({ actor: service(['fulfilment']), purpose: 'order.fulfilment', ...overrides });

describe('checkUse explains each denial and names the events it rests on', () => {
  it('an unknown purpose, with no evidence', () => {
    expect(checkUse(policy, subject, request({ purpose: 'resale.brokers' }))).toEqual({
      allowed: false,
      reason: 'unknown_purpose',
      detail: 'the policy declares no purpose resale.brokers',
      evidence: [],
    });
  });

  it('a role the purpose does not allow, listing both sides', () => {
    expect(checkUse(policy, subject, request({ actor: service(['support', 'intern']) }))).toEqual({
      allowed: false,
      reason: 'role_not_allowed',
      detail: 'purpose marketing.email may be acted on by marketing, growth; the actor has support, intern',
      evidence: [],
    });
    expect(checkUse(policy, subject, request({ actor: service([]) }))).toMatchObject({
      reason: 'role_not_allowed',
      detail: 'purpose marketing.email may be acted on by marketing, growth; the actor has no role',
    });
  });

  it('allows an actor with one allowed role among others', () => {
    expect(checkUse(policy, subject, request({ actor: service(['support', 'growth']) }))).toMatchObject({ allowed: true });
  });

  it('categories outside the purpose, each named', () => {
    expect(checkUse(policy, subject, request({ categories: ['contact.email', 'contact.address', 'payment.card'] }))).toEqual({
      allowed: false,
      reason: 'category_not_in_purpose',
      detail: 'purpose marketing.email does not cover contact.address, payment.card',
      evidence: [],
    });
  });

  it('an erasure, an erasure request and a restriction, each with the event that caused it, erasure first', () => {
    const all = { ...subject, erased: { eventId: 'e-1' }, erasureRequested: { eventId: 'q-1' }, restriction: { eventId: 'x-1' } };
    expect(checkUse(policy, all, request())).toEqual({ allowed: false, reason: 'erased', detail: "the subject's data was erased", evidence: ['e-1'] });
    expect(checkUse(policy, { ...all, erased: undefined }, request())).toEqual({
      allowed: false,
      reason: 'erasure_requested',
      detail: 'the subject asked for erasure',
      evidence: ['q-1'],
    });
    expect(checkUse(policy, { ...subject, restriction: { eventId: 'x-1' } }, request())).toEqual({
      allowed: false,
      reason: 'restricted',
      detail: 'processing is restricted',
      evidence: ['x-1'],
    });
  });

  it('categories never collected, each named', () => {
    const emailOnly: SubjectFacts = { ...subject, collected: new Map([['contact.email', { eventId: 'c-1', retainUntil: later }]]) };
    expect(checkUse(policy, emailOnly, fulfil({ categories: ['contact.address', 'contact.email', 'contact.phone'] }))).toEqual({
      allowed: false,
      reason: 'category_not_collected',
      detail: 'no contact.address, contact.phone was collected',
      evidence: [],
    });
  });

  it('a retention run out, naming the expired categories and their collection once, from the moment it ends', () => {
    const ending = '2026-06-01T00:00:00.000Z';
    const expiring: SubjectFacts = {
      ...subject,
      collected: new Map([
        ['contact.email', { eventId: 'c-1', retainUntil: ending }],
        ['contact.phone', { eventId: 'c-1', retainUntil: ending }],
        ['contact.address', { eventId: 'c-2', retainUntil: later }],
      ]),
    };
    expect(checkUse(policy, expiring, fulfil({ categories: ['contact.email', 'contact.address', 'contact.phone'] }))).toEqual({
      allowed: false,
      reason: 'retention_expired',
      detail: 'the retention period of contact.email, contact.phone for order.fulfilment has run out',
      evidence: ['c-1'],
    });
    expect(checkUse(policy, expiring, fulfil({ categories: ['contact.email'], now: new Date(Date.parse(ending) - 1) }))).toMatchObject({ allowed: true });
  });

  describe('a retention per purpose', () => {
    // Email collected at c-1 for fraud.prevention (P30D) and order.fulfilment (P6Y); neither for marketing.email.
    const collectedAt = '2026-01-01T00:00:00.000Z';
    const fraudEnds = '2026-01-31T00:00:00.000Z';
    const fulfilmentEnds = '2032-01-01T00:00:00.000Z';
    const perPurpose: SubjectFacts = {
      ...subject,
      collected: new Map([
        ['contact.email', { eventId: 'c-1', retainUntil: fulfilmentEnds, collectedAt, retention: { 'fraud.prevention': fraudEnds, 'order.fulfilment': fulfilmentEnds } }],
      ]),
    };
    const fraud = (at: string) => request({ actor: service(['fraud']), purpose: 'fraud.prevention', now: new Date(at) });

    it('refuses a purpose once its own retention has run out, though another purpose still keeps the data', () => {
      expect(checkUse(policy, perPurpose, fraud('2026-01-30T23:59:59.999Z'))).toMatchObject({ allowed: true });
      expect(checkUse(policy, perPurpose, fraud(fraudEnds))).toEqual({
        allowed: false,
        reason: 'retention_expired',
        detail: 'the retention period of contact.email for fraud.prevention has run out',
        evidence: ['c-1'],
      });
      // 59 days on: the fraud use is refused, the fulfilment use still allowed.
      expect(checkUse(policy, perPurpose, fraud('2026-03-01T00:00:00.000Z'))).toMatchObject({ reason: 'retention_expired' });
      expect(checkUse(policy, perPurpose, fulfil({ now: new Date('2026-03-01T00:00:00.000Z') }))).toMatchObject({ allowed: true });
      expect(checkUse(policy, perPurpose, fulfil({ now: new Date(fulfilmentEnds) }))).toMatchObject({ reason: 'retention_expired' });
    });

    it('counts a purpose the data was not collected for from the collection, by the policy’s retention, never past the last one recorded', () => {
      // marketing.email (P2Y) from 2026-01-01: until 2028-01-01.
      expect(checkUse(policy, perPurpose, request({ now: new Date('2027-12-31T23:59:59.999Z') }))).toMatchObject({ allowed: true });
      expect(checkUse(policy, perPurpose, request({ now: new Date('2028-01-01T00:00:00.000Z') }))).toMatchObject({ reason: 'retention_expired' });
      const shortLast: SubjectFacts = {
        ...subject,
        collected: new Map([['contact.email', { eventId: 'c-1', retainUntil: fraudEnds, collectedAt, retention: { 'fraud.prevention': fraudEnds } }]]),
      };
      expect(checkUse(policy, shortLast, request({ now: new Date(fraudEnds) }))).toMatchObject({ reason: 'retention_expired' });
    });

    it('keeps every purpose until retainUntil where the facts hold no retention per purpose', () => {
      const unknown: SubjectFacts = { ...subject, collected: new Map([['contact.email', { eventId: 'c-1', retainUntil: fulfilmentEnds }]]) };
      expect(checkUse(policy, unknown, fraud('2031-12-31T00:00:00.000Z'))).toMatchObject({ allowed: true });
    });

    it('refuses a category erased on its own as erased, naming its erasure; another category still serves', () => {
      const erasedAddress: SubjectFacts = { ...subject, erasedCategories: new Map([['contact.address', 'e-9']]) };
      const { ['contact.address']: _, ...rest } = Object.fromEntries(subject.collected);
      const without: SubjectFacts = { ...erasedAddress, collected: new Map(Object.entries(rest)) };
      expect(checkUse(policy, without, fulfil({ categories: ['contact.email', 'contact.address'] }))).toEqual({
        allowed: false,
        reason: 'erased',
        detail: 'contact.address of the subject was erased',
        evidence: ['e-9'],
      });
      expect(checkUse(policy, without, fulfil())).toMatchObject({ allowed: true });
    });

    it('names every category erased on its own, each erasure once', () => {
      const erasedTwo: SubjectFacts = {
        ...subject,
        collected: new Map([['contact.email', { eventId: 'c-1', retainUntil: later }]]),
        erasedCategories: new Map([
          ['contact.address', 'e-9'],
          ['contact.phone', 'e-9'],
        ]),
      };
      expect(checkUse(policy, erasedTwo, fulfil({ categories: ['contact.address', 'contact.email', 'contact.phone'] }))).toEqual({
        allowed: false,
        reason: 'erased',
        detail: 'contact.address, contact.phone of the subject was erased',
        evidence: ['e-9'],
      });
    });
  });

  it('a share for a purpose that does not allow sharing', () => {
    expect(checkUse(policy, subject, fulfil({ operation: 'share', recipient: verified }))).toEqual({
      allowed: false,
      reason: 'sharing_not_allowed',
      detail: 'purpose order.fulfilment does not allow sharing',
      evidence: [],
    });
  });

  it('a share to a recipient unknown, suspended or unverified, with the recipient event that refuses it', () => {
    const share = (recipient: RecipientFacts | undefined) => checkUse(policy, subject, request({ operation: 'share', recipient }));
    const unknown = { allowed: false, reason: 'recipient_unknown', detail: 'the recipient is not registered', evidence: [] };
    expect(share(undefined)).toEqual(unknown);
    expect(share({})).toEqual(unknown);
    expect(share({ ...verified, suspended: { eventId: 'r-3' } })).toEqual({
      allowed: false,
      reason: 'recipient_suspended',
      detail: 'the recipient is suspended',
      evidence: ['r-3'],
    });
    expect(share({ registered: verified.registered })).toEqual({
      allowed: false,
      reason: 'recipient_not_verified',
      detail: 'the recipient is not verified',
      evidence: ['r-1'],
    });
  });

  it('consent missing, withdrawn or expired (at the very moment it ends)', () => {
    const withConsent = (consent: SubjectFacts['consents'] extends ReadonlyMap<string, infer C> ? C : never) => ({
      ...subject,
      consents: new Map([['marketing.email', consent]]),
    });
    expect(checkUse(policy, { ...subject, consents: new Map() }, request())).toEqual({
      allowed: false,
      reason: 'no_consent',
      detail: 'no consent was given for marketing.email',
      evidence: [],
    });
    expect(checkUse(policy, withConsent({ status: 'withdrawn', eventId: 'w-1' }), request())).toEqual({
      allowed: false,
      reason: 'consent_withdrawn',
      detail: 'consent for marketing.email was withdrawn',
      evidence: ['w-1'],
    });
    const expiresAt = now.toISOString();
    expect(checkUse(policy, withConsent({ status: 'granted', eventId: 'g-1', expiresAt }), request())).toEqual({
      allowed: false,
      reason: 'consent_expired',
      detail: `consent for marketing.email expired at ${expiresAt}`,
      evidence: ['g-1'],
    });
    expect(checkUse(policy, withConsent({ status: 'granted', eventId: 'g-1', expiresAt }), request({ now: new Date(now.getTime() - 1) }))).toMatchObject({
      allowed: true,
    });
  });

  it('an objection, with the objection event', () => {
    const objected: SubjectFacts = { ...subject, objections: [{ eventId: 'o-1', purposes: ['marketing.email'] }, { eventId: 'o-2' }] };
    expect(checkUse(policy, objected, request({ actor: service(['fraud']), purpose: 'fraud.prevention' }))).toEqual({
      allowed: false,
      reason: 'objection',
      detail: 'the subject objected to processing for fraud.prevention',
      evidence: ['o-2'],
    });
  });
});

describe('checkUse names the events an allowance rests on', () => {
  it('the consent, then each collection once', () => {
    expect(checkUse(policy, subject, request({ categories: ['contact.email', 'contact.phone'] }))).toEqual({
      allowed: true,
      basis: { legalBasis: 'consent', consentEventId: 'g-1' },
      evidence: ['g-1', 'c-1'],
    });
  });

  it('the collections alone for a purpose without consent', () => {
    expect(checkUse(policy, subject, fulfil({ categories: ['contact.email', 'contact.address', 'contact.phone'] }))).toEqual({
      allowed: true,
      basis: { legalBasis: 'contract' },
      evidence: ['c-1', 'c-2'],
    });
  });

  it("a share adds the recipient's registration and verification", () => {
    expect(checkUse(policy, subject, request({ operation: 'share', recipient: verified }))).toEqual({
      allowed: true,
      basis: { legalBasis: 'consent', consentEventId: 'g-1' },
      evidence: ['g-1', 'c-1', 'r-1', 'r-2'],
    });
  });

  it('a use or an access is not judged by, nor rests on, a recipient given with it', () => {
    for (const operation of ['use', 'access'] as const) {
      expect(checkUse(policy, subject, request({ operation, recipient: verified }))).toEqual({
        allowed: true,
        basis: { legalBasis: 'consent', consentEventId: 'g-1' },
        evidence: ['g-1', 'c-1'],
      });
      expect(checkUse(policy, subject, fulfil({ operation, recipient: { ...verified, suspended: { eventId: 'r-3' } } }))).toEqual({
        allowed: true,
        basis: { legalBasis: 'contract' },
        evidence: ['c-1'],
      });
    }
  });
});

describe('a privacy signal and an objection to direct marketing', () => {
  const marketing = definePolicy({
    purposes: {
      'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y', optOutSignals: ['gpc'], directMarketing: true },
      'marketing.post': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y', directMarketing: true },
      'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['marketing'], retention: 'P1Y' },
    },
  });
  const use = (purpose: string) => request({ purpose });

  it('refuses a purpose the subject opted out of by a signal, naming the signal and its event', () => {
    const optedOut: SubjectFacts = { ...subject, optOuts: new Map([['marketing.email', { eventId: 's-1', signal: 'gpc' }]]) };
    expect(checkUse(marketing, optedOut, use('marketing.email'))).toEqual({
      allowed: false,
      reason: 'opted_out',
      detail: 'the subject opted out of marketing.email by a gpc signal',
      evidence: ['s-1'],
    });
    expect(checkUse(marketing, optedOut, use('marketing.post'))).toMatchObject({ allowed: true });
  });

  it('refuses direct marketing under the latest objection covering it, whatever its legal basis, naming that objection', () => {
    const objected: SubjectFacts = {
      ...subject,
      objections: [{ eventId: 'o-1' }, { eventId: 'o-2', purposes: ['marketing.post'] }, { eventId: 'o-3', purposes: ['fraud.prevention'] }],
    };
    expect(checkUse(marketing, objected, use('marketing.email'))).toEqual({
      allowed: false,
      reason: 'objection',
      detail: 'the subject objected to direct marketing for marketing.email',
      evidence: ['o-1'],
    });
    expect(checkUse(marketing, objected, use('marketing.post'))).toMatchObject({
      reason: 'objection',
      detail: 'the subject objected to direct marketing for marketing.post',
      evidence: ['o-2'],
    });
  });

  it('finds the standing objection from the latest back; a grant of the subject lifts exactly the one it names', () => {
    const objections = [{ eventId: 'o-1' }, { eventId: 'o-2', purposes: ['marketing.post'] }, { eventId: 'o-3', purposes: ['fraud.prevention'] }];
    const facts = (overrides: Partial<SubjectFacts> = {}): SubjectFacts => ({ ...subject, objections, ...overrides });
    expect(standingObjection(facts(), 'marketing.post')).toEqual({ eventId: 'o-2', purposes: ['marketing.post'] });
    expect(standingObjection(facts(), 'marketing.email')).toEqual({ eventId: 'o-1' });
    expect(standingObjection(facts({ objections: [] }), 'marketing.email')).toBeUndefined();
    expect(standingObjection(facts({ objections: [{ eventId: 'o-3', purposes: ['fraud.prevention'] }] }), 'marketing.email')).toBeUndefined();
    // The subject's grant lifted o-2: the later objection is lifted, and no earlier one stands in for it.
    expect(standingObjection(facts({ objectionOverrides: new Map([['marketing.post', 'o-2']]) }), 'marketing.post')).toBeUndefined();
    // A grant that lifted an older objection does not lift a newer one.
    expect(standingObjection(facts({ objectionOverrides: new Map([['marketing.post', 'o-1']]) }), 'marketing.post')).toEqual({ eventId: 'o-2', purposes: ['marketing.post'] });
    // Lifted by the subject's own grant, a consent-based purpose serves again on that grant.
    expect(checkUse(marketing, facts({ objectionOverrides: new Map([['marketing.email', 'o-1']]) }), use('marketing.email'))).toMatchObject({
      allowed: true,
      evidence: ['g-1', 'c-1'],
    });
  });
});
