import { describe, expect, it } from '@jest/globals';
import { deciderSpec, type GivenEvent } from '@custodian/testing';
import type { Actor } from '../events';
import { definePolicy } from '../policy';
import { recipientDecider, subjectDecider } from './decider';
import type { SubjectCommand } from './decide';
import { initialRecipientState, type RecipientState } from './recipient-state';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
    'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['fraud'], retention: 'P1Y' },
  },
});
const spec = deciderSpec(subjectDecider(policy));

const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const CONSENT_ID = '00000000-0000-7000-8000-00000000c0de';
const now = new Date('2026-06-01T00:00:00.000Z');

const collected: GivenEvent = {
  id: '00000000-0000-7000-8000-00000000c011',
  type: 'DataCollected',
  data: {
    categories: ['contact.email'],
    source: 'checkout',
    purposes: ['marketing.email', 'order.fulfilment', 'fraud.prevention'],
    legalBases: { 'marketing.email': 'consent', 'order.fulfilment': 'contract', 'fraud.prevention': 'legitimate_interests' },
    notice,
    retainUntil: '2032-01-01T00:00:00.000Z',
    values: { 'contact.email': 'gcm1.aaaa.bbbb' },
  },
};
const consented = (expiresAt?: string): GivenEvent => ({
  id: CONSENT_ID,
  type: 'ConsentGranted',
  data: { purpose: 'marketing.email', notice, method: 'checkbox', ...(expiresAt && { expiresAt }) },
});
const withdrawn: GivenEvent = { type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } };

const use = (overrides: Partial<Extract<SubjectCommand, { type: 'use' }>> = {}): SubjectCommand => ({
  type: 'use',
  actor: marketer,
  purpose: 'marketing.email',
  categories: ['contact.email'],
  activity: 'campaign:spring',
  now,
  ...overrides,
});

describe('consent-based purposes', () => {
  it('allow a use under a consent that is given, recording the consent as its basis', () => {
    spec
      .given([collected, consented()])
      .when(use())
      .then([
        {
          type: 'DataUsed',
          data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring', basis: { legalBasis: 'consent', consentEventId: CONSENT_ID } },
        },
      ]);
  });
  it('refuse without consent', () => spec.given([collected]).when(use()).thenDenied('no_consent'));
  it('refuse once consent is withdrawn', () => spec.given([collected, consented(), withdrawn]).when(use()).thenDenied('consent_withdrawn'));
  it('refuse once consent has expired', () =>
    spec
      .given([collected, consented('2026-05-31T00:00:00.000Z')])
      .when(use())
      .thenDenied('consent_expired'));
  it('allow again after a new grant', () => {
    spec
      .given([collected, consented(), withdrawn, { ...consented(), id: '00000000-0000-7000-8000-0000000000c2' }])
      .when(use())
      .then([
        expect.objectContaining({ type: 'DataUsed', data: expect.objectContaining({ basis: { legalBasis: 'consent', consentEventId: '00000000-0000-7000-8000-0000000000c2' } }) }),
      ]);
  });
});

describe('the other rules', () => {
  const fraud = use({ purpose: 'fraud.prevention', actor: { id: 'fraud-svc', kind: 'service', roles: ['fraud'] } });
  it('an objection blocks legitimate-interests purposes', () => {
    spec
      .given([collected])
      .when(fraud)
      .then([expect.objectContaining({ type: 'DataUsed', data: expect.objectContaining({ basis: { legalBasis: 'legitimate_interests' } }) })]);
    spec
      .given([collected, { type: 'ObjectionRaised', data: {} }])
      .when(fraud)
      .thenDenied('objection');
    spec
      .given([collected, { type: 'ObjectionRaised', data: { purposes: ['fraud.prevention'] } }])
      .when(fraud)
      .thenDenied('objection');
  });
  it('an objection to one purpose leaves the others', () => {
    const other = { type: 'ObjectionRaised', data: { purposes: ['marketing.email'] } } as GivenEvent;
    spec
      .given([collected, other])
      .when(fraud)
      .then([expect.objectContaining({ type: 'DataUsed' })]);
  });
  it('an objection does not block a contract purpose', () => {
    const fulfil = use({ purpose: 'order.fulfilment', actor: { id: 'wh', kind: 'service', roles: ['fulfilment'] } });
    spec
      .given([collected, { type: 'ObjectionRaised', data: {} }])
      .when(fulfil)
      .then([expect.objectContaining({ type: 'DataUsed' })]);
  });
  it('a restriction blocks every use, until lifted', () => {
    spec
      .given([collected, consented(), { type: 'ProcessingRestricted', data: {} }])
      .when(use())
      .thenDenied('restricted');
    spec
      .given([collected, consented(), { type: 'ProcessingRestricted', data: {} }, { type: 'RestrictionLifted', data: {} }])
      .when(use())
      .then([expect.objectContaining({ type: 'DataUsed' })]);
  });
  it('after an erasure request every use is denied', () => {
    spec
      .given([collected, consented(), { type: 'ErasureRequested', data: {} }])
      .when(use())
      .thenDenied('erasure_requested');
    spec
      .given([collected, consented(), { type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [] } }])
      .when(use())
      .thenDenied('erased');
  });
  it('the categories must belong to the purpose', () =>
    spec
      .given([collected, consented()])
      .when(use({ categories: ['contact.email', 'contact.address'] }))
      .thenDenied('category_not_in_purpose'));
  it('data past its retention period is not used', () =>
    spec
      .given([collected, consented()])
      .when(use({ now: new Date('2032-01-01T00:00:00.000Z') }))
      .thenDenied('retention_expired'));
  it('the categories must have been collected', () =>
    spec
      .given([collected])
      .when(use({ purpose: 'order.fulfilment', categories: ['contact.address'], actor: { id: 'wh', kind: 'service', roles: ['fulfilment'] } }))
      .thenDenied('category_not_collected'));
  it('the actor needs a role the purpose allows', () =>
    spec
      .given([collected, consented()])
      .when(use({ actor: { id: 'intern', kind: 'employee', roles: ['support'] } }))
      .thenDenied('role_not_allowed'));
  it('an unknown purpose is refused', () =>
    spec
      .given([collected])
      .when(use({ purpose: 'resale.brokers' }))
      .thenDenied('unknown_purpose'));
  it('an access is decided by the same rules', () => {
    spec
      .given([collected, consented()])
      .when({ type: 'access', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], now })
      .then([{ type: 'DataAccessed', data: { purpose: 'marketing.email', categories: ['contact.email'], basis: { legalBasis: 'consent', consentEventId: CONSENT_ID } } }]);
  });
});

describe('shares', () => {
  const registered: RecipientState = { registered: { eventId: 'r1', name: 'Agency', agreement: 'dpa-1', country: 'DE', at: '2026-01-01T00:00:00.000Z' } };
  const verified: RecipientState = { ...registered, verified: { eventId: 'r2', at: '2026-01-02T00:00:00.000Z' } };
  const share = (recipient: RecipientState, purpose = 'marketing.email'): SubjectCommand => ({
    type: 'share',
    actor: marketer,
    recipientId: 'agency',
    purpose,
    categories: ['contact.email'],
    now,
    recipient,
  });
  it('need a registered, verified, not suspended recipient', () => {
    spec.given([collected, consented()]).when(share(initialRecipientState)).thenDenied('recipient_unknown');
    spec.given([collected, consented()]).when(share(registered)).thenDenied('recipient_not_verified');
    spec
      .given([collected, consented()])
      .when(share({ ...verified, suspended: { eventId: 'r3', reason: 'breach', at: '2026-02-01T00:00:00.000Z' } }))
      .thenDenied('recipient_suspended');
    spec
      .given([collected, consented()])
      .when(share(verified))
      .then([
        {
          type: 'DataShared',
          data: {
            recipientId: 'agency',
            purpose: 'marketing.email',
            categories: ['contact.email'],
            agreement: 'dpa-1',
            basis: { legalBasis: 'consent', consentEventId: CONSENT_ID },
          },
        },
      ]);
  });
  it('need a purpose that allows sharing', () => {
    const fulfil: SubjectCommand = {
      ...(share(verified, 'order.fulfilment') as Extract<SubjectCommand, { type: 'share' }>),
      actor: { id: 'wh', kind: 'service', roles: ['fulfilment'] },
    };
    spec.given([collected]).when(fulfil).thenDenied('sharing_not_allowed');
  });
});

describe('commands the history does not allow', () => {
  it('withdrawing a consent never given', () =>
    spec.given([collected]).when({ type: 'withdrawConsent', purpose: 'marketing.email' }).thenThrows('COMMAND_REFUSED', 'consent_not_granted'));
  it('rectifying a category never collected', () =>
    spec
      .given([collected])
      .when({ type: 'rectify', values: { 'contact.address': 'gcm1.a.b' } })
      .thenThrows('COMMAND_REFUSED', 'category_not_collected'));
  it('erasing twice', () =>
    spec
      .given([{ type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [] } }])
      .when({ type: 'erase' })
      .thenThrows('COMMAND_REFUSED', 'already_erased'));
  it('collecting after erasure', () =>
    spec
      .given([{ type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [] } }])
      .when({
        type: 'collect',
        source: 's',
        purposes: ['order.fulfilment'],
        legalBases: { 'order.fulfilment': 'contract' },
        notice,
        retainUntil: '2030-01-01T00:00:00.000Z',
        values: { 'contact.email': 'gcm1.a.b' },
      })
      .thenThrows('COMMAND_REFUSED', 'subject_erased'));
  it('erasure notices go to every recipient that received data', () => {
    const shared: GivenEvent = {
      type: 'DataShared',
      data: { recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'], agreement: 'dpa-1', basis: { legalBasis: 'consent', consentEventId: CONSENT_ID } },
    };
    spec
      .given([collected, consented(), shared])
      .when({ type: 'erase' })
      .then([{ type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: ['agency'] } }]);
  });
});

describe('the recipient decider', () => {
  const recipients = deciderSpec(recipientDecider);
  const registeredEvent: GivenEvent = { type: 'RecipientRegistered', data: { recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' } };
  it('registers once, verifies a registered recipient, suspends', () => {
    recipients.given([]).when({ type: 'registerRecipient', recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' }).then([registeredEvent]);
    recipients
      .given([registeredEvent])
      .when({ type: 'registerRecipient', recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' })
      .thenThrows('COMMAND_REFUSED', 'already_registered');
    recipients.given([]).when({ type: 'verifyRecipient', recipientId: 'agency' }).thenThrows('COMMAND_REFUSED', 'recipient_unknown');
    recipients
      .given([registeredEvent])
      .when({ type: 'verifyRecipient', recipientId: 'agency' })
      .then([{ type: 'RecipientVerified', data: { recipientId: 'agency' } }]);
    recipients
      .given([registeredEvent])
      .when({ type: 'suspendRecipient', recipientId: 'agency', reason: 'audit failed' })
      .then([{ type: 'RecipientSuspended', data: { recipientId: 'agency', reason: 'audit failed' } }]);
  });
});
