import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../errors';
import { definePolicy } from './define-policy';
import { checkCategories, checkConsentExpiry, checkConsentPurpose, checkPurposes, checkSignalReceived, collectionTerms } from './write-rules';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
    'fraud.screening': { legalBasis: 'legitimate_interests', categories: ['payment.card'], roles: ['risk'], retention: 'P30D' },
  },
});

/** The issues a rule throws; fails the test if it throws nothing, or anything but a ValidationError. */
function issuesOf(rule: () => void): { what: string; issues: { path: string; message: string }[] } {
  try {
    rule();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { what: (error as ValidationError).what, issues: [...(error as ValidationError).issues] };
  }
  throw new Error('the rule accepted it');
}

describe('checkPurposes', () => {
  it('accepts purposes of the policy carrying categories one of them covers', () => {
    expect(() => checkPurposes(policy, 'collect', ['marketing.email', 'fraud.screening'], ['contact.email', 'payment.card'])).not.toThrow();
  });

  it('names each purpose the policy does not declare by place, listing the ones it does', () => {
    expect(issuesOf(() => checkPurposes(policy, 'object', ['order.fulfilment', 'no.such', 'marketing.sms'])).issues).toEqual([
      { path: 'purposes.1', message: 'is not a purpose of the policy, which declares marketing.email, order.fulfilment, fraud.screening' },
      { path: 'purposes.2', message: 'is not a purpose of the policy, which declares marketing.email, order.fulfilment, fraud.screening' },
    ]);
  });

  it('names a category of the policy that no purpose named covers by name, and a caller’s key by place, length and tag', () => {
    const { issues } = issuesOf(() => checkPurposes(policy, 'collect', ['marketing.email'], ['contact.email', 'contact.address', 'ann.secret']));
    expect(issues).toEqual([
      { path: 'data.contact.address', message: 'is not a category of any of the purposes named' },
      { path: expect.stringMatching(/^data\[key 3 of 3: 10 chars, #[0-9a-f]{6}\]$/), message: 'is not a category of any of the purposes named' },
    ]);
    expect(JSON.stringify(issues)).not.toContain('ann.secret');
  });

  it('places a purpose where the caller wrote it when told, and names the write it refuses', () => {
    expect(issuesOf(() => checkPurposes(policy, 'grantConsent', ['no.such'], [], () => 'purpose'))).toEqual({
      what: 'grantConsent',
      issues: [{ path: 'purpose', message: expect.stringMatching(/^is not a purpose of the policy/) }],
    });
  });
});

describe('collectionTerms', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');

  it('records each purpose’s legal basis as the policy declares it', () => {
    expect(collectionTerms(policy, ['marketing.email', 'order.fulfilment', 'fraud.screening'], now, ['contact.email', 'payment.card']).legalBases).toEqual({
      'marketing.email': 'consent',
      'order.fulfilment': 'contract',
      'fraud.screening': 'legitimate_interests',
    });
  });

  it('keeps the data until the longest retention among the purposes that cover it has run from the time of collection', () => {
    expect(collectionTerms(policy, ['fraud.screening'], now, ['payment.card']).retainUntil).toBe('2026-03-31T10:00:00.000Z');
    expect(collectionTerms(policy, ['marketing.email', 'fraud.screening'], now, ['contact.email', 'payment.card']).retainUntil).toBe('2028-03-01T10:00:00.000Z');
    expect(collectionTerms(policy, ['fraud.screening', 'order.fulfilment', 'marketing.email'], now, ['contact.email']).retainUntil).toBe('2032-03-01T10:00:00.000Z');
    // A purpose named that covers none of the data keeps none of it.
    expect(collectionTerms(policy, ['fraud.screening', 'order.fulfilment'], now, ['payment.card']).retainUntil).toBe('2026-03-31T10:00:00.000Z');
  });

  it('keeps nothing past the longest retention of the purposes named when no category is named', () => {
    expect(collectionTerms(policy, ['fraud.screening', 'marketing.email'], now, [])).toEqual({
      legalBases: { 'fraud.screening': 'legitimate_interests', 'marketing.email': 'consent' },
      retention: {},
      retainUntil: '2028-03-01T10:00:00.000Z',
    });
  });

  it('gives each category the retention of each purpose named that covers it, and no other', () => {
    expect(collectionTerms(policy, ['marketing.email', 'order.fulfilment', 'fraud.screening'], now, ['contact.email', 'contact.address', 'payment.card']).retention).toEqual({
      'contact.email': { 'marketing.email': '2028-03-01T10:00:00.000Z', 'order.fulfilment': '2032-03-01T10:00:00.000Z' },
      'contact.address': { 'order.fulfilment': '2032-03-01T10:00:00.000Z' },
      'payment.card': { 'fraud.screening': '2026-03-31T10:00:00.000Z' },
    });
  });
});

describe('checkCategories', () => {
  it('accepts categories of the policy, and names each other one by place only', () => {
    expect(() => checkCategories(policy, 'erase', ['contact.address', 'payment.card'])).not.toThrow();
    expect(issuesOf(() => checkCategories(policy, 'erase', ['contact.email', 'contact.secret', 'no.such']))).toEqual({
      what: 'erase',
      issues: [
        { path: 'categories.1', message: 'is not a category of the policy' },
        { path: 'categories.2', message: 'is not a category of the policy' },
      ],
    });
  });
});

describe('checkConsentPurpose', () => {
  it('accepts a purpose that rests on consent', () => {
    expect(() => checkConsentPurpose(policy, 'marketing.email')).not.toThrow();
  });

  it('refuses a purpose resting on another basis, naming the basis at purpose', () => {
    expect(issuesOf(() => checkConsentPurpose(policy, 'order.fulfilment'))).toEqual({
      what: 'grantConsent',
      issues: [{ path: 'purpose', message: 'rests on contract, not on consent' }],
    });
    expect(issuesOf(() => checkConsentPurpose(policy, 'fraud.screening')).issues).toEqual([{ path: 'purpose', message: 'rests on legitimate_interests, not on consent' }]);
  });

  it('refuses a purpose the policy does not declare at purpose, without echoing it', () => {
    expect(issuesOf(() => checkConsentPurpose(policy, 'ann.secret'))).toEqual({
      what: 'grantConsent',
      issues: [{ path: 'purpose', message: 'is not a purpose of the policy, which declares marketing.email, order.fulfilment, fraud.screening' }],
    });
  });
});

describe('checkConsentExpiry', () => {
  const grant = new Date('2026-06-01T09:00:00.000Z');

  it('accepts no expiry, and one after the grant', () => {
    expect(() => checkConsentExpiry(undefined, grant)).not.toThrow();
    expect(() => checkConsentExpiry(new Date(grant.getTime() + 1), grant)).not.toThrow();
  });

  it('refuses an expiry at or before the grant, naming expiresAt', () => {
    for (const expiresAt of [grant, new Date(grant.getTime() - 1), new Date('2020-01-01T00:00:00Z')])
      expect(issuesOf(() => checkConsentExpiry(expiresAt, grant))).toEqual({
        what: 'grantConsent',
        issues: [{ path: 'expiresAt', message: 'must be after the time of the grant' }],
      });
  });
});

describe('checkSignalReceived', () => {
  const recorded = new Date('2026-06-01T09:00:00.000Z');

  it('accepts no time of receipt, one before the record, and the very moment of it', () => {
    for (const receivedAt of [undefined, new Date(recorded.getTime() - 1), recorded]) expect(() => checkSignalReceived(receivedAt, recorded)).not.toThrow();
  });

  it('refuses a signal received after it is recorded, naming receivedAt', () => {
    for (const receivedAt of [new Date(recorded.getTime() + 1), new Date('2030-01-01T00:00:00Z')])
      expect(issuesOf(() => checkSignalReceived(receivedAt, recorded))).toEqual({
        what: 'applyPrivacySignal',
        issues: [{ path: 'receivedAt', message: 'must not be after the time the signal is recorded' }],
      });
  });
});
