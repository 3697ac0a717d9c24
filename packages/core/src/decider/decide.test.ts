import { describe, expect, it } from '@jest/globals';
import { deciderSpec, type GivenEvent } from '@custodian/testing';
import type { Actor } from '../events';
import { definePolicy } from '../policy';
import { decideRecipient, decideSubject, type RecipientCommand, type SubjectCommand } from './decide';
import { recipientDecider, subjectDecider } from './decider';
import { CommandRefusedError } from './errors';
import { initialRecipientState, type RecipientState } from './recipient-state';
import { initialSubjectState, type ShareFact, type SubjectState } from './subject-state';

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
const CHANGE_ID = '00000000-0000-7000-8000-00000000c4a9';
const ERASURE_ID = '00000000-0000-7000-8000-0000000e4a5e';
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
    spec.given([collected]).when({ type: 'withdrawConsent', purpose: 'marketing.email', eventId: CHANGE_ID }).thenThrows('COMMAND_REFUSED', 'consent_not_granted'));
  it('rectifying a category never collected', () =>
    spec
      .given([collected])
      .when({ type: 'rectify', values: { 'contact.address': 'gcm1.a.b' }, sealedWith: { 'contact.address': 0 }, eventId: CHANGE_ID })
      .thenThrows('COMMAND_REFUSED', 'category_not_collected'));
  it('erasing twice', () =>
    spec
      .given([{ type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [] } }])
      .when({ type: 'erase', eventId: ERASURE_ID })
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
        retention: { 'contact.email': { 'order.fulfilment': '2032-01-01T00:00:00.000Z' } },
        sealedWith: { 'contact.email': 0 },
      })
      .thenThrows('COMMAND_REFUSED', 'subject_erased'));
  it('erasure notices go to every recipient that received data', () => {
    const shared: GivenEvent = {
      type: 'DataShared',
      data: { recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'], agreement: 'dpa-1', basis: { legalBasis: 'consent', consentEventId: CONSENT_ID } },
    };
    spec
      .given([collected, consented(), shared])
      .when({ type: 'erase', eventId: ERASURE_ID })
      .then([
        {
          id: ERASURE_ID,
          type: 'DataErased',
          data: { scope: 'all', method: 'crypto-shred', reason: 'erasure_request', categories: ['contact.email'], recipientsNotified: ['agency'] },
        },
      ]);
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

describe('every command, decided on a state built by hand', () => {
  const erasedState: SubjectState = { ...initialSubjectState, erased: { eventId: 'e-1' } };
  const held: SubjectState = {
    ...initialSubjectState,
    collected: new Map([
      [
        'contact.email',
        {
          eventId: 'c-1',
          collectedAt: '2026-01-01T00:00:00.000Z',
          source: 'checkout',
          purposes: ['order.fulfilment'],
          retainUntil: '2032-01-01T00:00:00.000Z',
          retention: { 'order.fulfilment': '2032-01-01T00:00:00.000Z' },
          sealed: 'x',
          key: 0,
        },
      ],
    ]),
  };
  const decide = (command: SubjectCommand, state: SubjectState = initialSubjectState) => decideSubject(command, state, policy);
  /** The refusal, with its message: a refusal that says nothing helps no one. */
  function refusal(run: () => unknown): { code: string; reason: string; message: string } {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(CommandRefusedError);
      const { code, reason, message } = error as CommandRefusedError;
      return { code, reason, message };
    }
    throw new Error('the command was not refused');
  }
  const refused = (reason: string, message: string) => ({ code: 'COMMAND_REFUSED', reason, message });

  it('collects every category given, with the command’s facts', () => {
    const command: SubjectCommand = {
      type: 'collect',
      source: 'checkout',
      purposes: ['order.fulfilment'],
      legalBases: { 'order.fulfilment': 'contract' },
      notice,
      retainUntil: '2032-01-01T00:00:00.000Z',
      retention: { 'contact.email': { 'order.fulfilment': '2032-01-01T00:00:00.000Z' }, 'contact.address': { 'order.fulfilment': '2032-01-01T00:00:00.000Z' } },
      values: { 'contact.email': 'sealed-1', 'contact.address': 'sealed-2' },
      sealedWith: { 'contact.email': 0, 'contact.address': 0 },
    };
    expect(decide(command)).toEqual([
      {
        type: 'DataCollected',
        data: {
          source: 'checkout',
          purposes: ['order.fulfilment'],
          legalBases: { 'order.fulfilment': 'contract' },
          notice,
          retainUntil: '2032-01-01T00:00:00.000Z',
          retention: { 'contact.email': { 'order.fulfilment': '2032-01-01T00:00:00.000Z' }, 'contact.address': { 'order.fulfilment': '2032-01-01T00:00:00.000Z' } },
          categories: ['contact.email', 'contact.address'],
          values: { 'contact.email': 'sealed-1', 'contact.address': 'sealed-2' },
          sealedWith: { 'contact.email': 0, 'contact.address': 0 },
        },
      },
    ]);
    expect(refusal(() => decide(command, erasedState))).toEqual(refused('subject_erased', 'the subject was erased; nothing more is collected for them'));
  });

  it('rectifies held categories only, and nothing once erased, saying how many were never collected', () => {
    expect(decide({ type: 'rectify', values: { 'contact.email': 'sealed-3' }, sealedWith: { 'contact.email': 0 }, eventId: 'r-1' }, held)).toEqual([
      { id: 'r-1', type: 'DataRectified', data: { categories: ['contact.email'], values: { 'contact.email': 'sealed-3' }, sealedWith: { 'contact.email': 0 } } },
    ]);
    expect(
      refusal(() =>
        decide({ type: 'rectify', values: { 'contact.email': 'a', 'contact.address': 'b', 'contact.phone': 'c' }, sealedWith: { 'contact.email': 0 }, eventId: 'r-1' }, held),
      ),
    ).toEqual(refused('category_not_collected', 'cannot rectify 2 of the categories given: never collected, or erased'));
    expect(
      refusal(() => decide({ type: 'rectify', values: { 'contact.email': 'a' }, sealedWith: { 'contact.email': 0 }, eventId: 'r-1' }, { ...held, erased: { eventId: 'e-1' } })),
    ).toEqual(refused('subject_erased', 'the subject was erased'));
  });

  it('records a consent given, but none once erased; withdraws only a consent granted', () => {
    const grant: SubjectCommand = { type: 'grantConsent', actor: marketer, purpose: 'marketing.email', notice, method: 'checkbox', expiresAt: '2027-01-01T00:00:00.000Z' };
    expect(decide(grant)).toEqual([{ type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'checkbox', expiresAt: '2027-01-01T00:00:00.000Z' } }]);
    expect(refusal(() => decide(grant, erasedState))).toEqual(refused('subject_erased', 'the subject was erased'));
    const consent = (status: 'granted' | 'withdrawn'): SubjectState => ({
      ...initialSubjectState,
      consents: new Map([['marketing.email', { status, eventId: 'g-1', grantEventId: 'g-1', notice, since: '2026-01-01T00:00:00.000Z' }]]),
    });
    const withdraw: SubjectCommand = { type: 'withdrawConsent', purpose: 'marketing.email', method: 'web-form', eventId: 'w-1' };
    expect(decide(withdraw, consent('granted'))).toEqual([{ id: 'w-1', type: 'ConsentWithdrawn', data: { purpose: 'marketing.email', method: 'web-form' } }]);
    expect(refusal(() => decide(withdraw, consent('withdrawn')))).toEqual(refused('consent_not_granted', 'there is no consent for this purpose to withdraw'));
  });

  it('records an objection; restricts once, and lifts only a restriction in place', () => {
    expect(decide({ type: 'object', purposes: ['fraud.prevention'], reason: 'sealed' })).toEqual([
      { type: 'ObjectionRaised', data: { purposes: ['fraud.prevention'], reason: 'sealed' } },
    ]);
    const restricted: SubjectState = { ...initialSubjectState, restriction: { eventId: 'x-1' } };
    expect(decide({ type: 'restrict', reason: 'sealed', eventId: 'x-2' })).toEqual([{ id: 'x-2', type: 'ProcessingRestricted', data: { reason: 'sealed' } }]);
    expect(refusal(() => decide({ type: 'restrict', eventId: 'x-2' }, restricted))).toEqual(refused('already_restricted', 'processing is already restricted'));
    expect(decide({ type: 'liftRestriction' }, restricted)).toEqual([{ type: 'RestrictionLifted', data: {} }]);
    expect(refusal(() => decide({ type: 'liftRestriction' }))).toEqual(refused('not_restricted', 'processing is not restricted'));
  });

  it('revokes a share that stands, not one never made nor one already revoked', () => {
    const share = { eventIds: ['s-1'], categories: ['contact.email'], purposes: ['marketing.email'] };
    const sharing: SubjectState = { ...initialSubjectState, shares: new Map([['agency', share]]) };
    expect(decide({ type: 'revokeShare', recipientId: 'agency', reason: 'sealed' }, sharing)).toEqual([
      { type: 'ShareRevoked', data: { recipientId: 'agency', reason: 'sealed' } },
    ]);
    const none = refused('no_share', 'nothing shared with this recipient is left to revoke');
    expect(refusal(() => decide({ type: 'revokeShare', recipientId: 'carrier' }, sharing))).toEqual(none);
    const revoked: SubjectState = { ...initialSubjectState, shares: new Map([['agency', { ...share, revokedEventId: 'v-1' }]]) };
    expect(refusal(() => decide({ type: 'revokeShare', recipientId: 'agency' }, revoked))).toEqual(none);
  });

  it('takes an erasure request, with its reason only when given, until the subject is erased', () => {
    const dueBy = '2026-07-01T23:59:59.999Z';
    expect(decide({ type: 'requestErasure', reason: 'sealed', now })).toEqual([{ type: 'ErasureRequested', data: { reason: 'sealed', dueBy } }]);
    expect(decide({ type: 'requestErasure', now })).toEqual([{ type: 'ErasureRequested', data: { dueBy } }]);
    expect(refusal(() => decide({ type: 'requestErasure', now }, erasedState))).toEqual(refused('already_erased', 'the subject was already erased'));
    expect(refusal(() => decide({ type: 'erase', eventId: ERASURE_ID }, erasedState))).toEqual(refused('already_erased', 'the subject was already erased'));
  });

  it('notifies every recipient ever shared with, revoked or not, of an erasure', () => {
    const share = { eventIds: ['s-1'], categories: ['contact.email'], purposes: ['marketing.email'] };
    const sharing: SubjectState = {
      ...initialSubjectState,
      shares: new Map<string, ShareFact>([
        ['agency', share],
        ['carrier', { ...share, revokedEventId: 'v-1' }],
      ]),
    };
    const all = { scope: 'all', method: 'crypto-shred', reason: 'erasure_request', categories: [] };
    const erase: SubjectCommand = { type: 'erase', eventId: ERASURE_ID };
    expect(decide(erase, sharing)).toEqual([{ id: ERASURE_ID, type: 'DataErased', data: { ...all, recipientsNotified: ['agency', 'carrier'] } }]);
    expect(decide(erase)).toEqual([{ id: ERASURE_ID, type: 'DataErased', data: { ...all, recipientsNotified: [] } }]);
  });

  it('takes a recipient’s erasure confirmation once, after the erasure, from a recipient that received data', () => {
    const share = { eventIds: ['s-1'], categories: ['contact.email'], purposes: ['marketing.email'] };
    const erased: SubjectState = { ...initialSubjectState, shares: new Map([['agency', share]]), erased: { eventId: 'e-1' } };
    const confirm: SubjectCommand = { type: 'confirmRecipientErasure', recipientId: 'agency' };
    expect(decide(confirm, erased)).toEqual([{ type: 'RecipientErasureConfirmed', data: { recipientId: 'agency', erasureEventId: 'e-1' } }]);
    expect(refusal(() => decide(confirm, { ...erased, erased: undefined }))).toEqual(
      refused('not_erased', 'the subject has not been erased, and no erasure of some of her categories awaits this recipient'),
    );
    expect(decide({ ...confirm, erasureEventId: 'e-1' }, erased)).toEqual([{ type: 'RecipientErasureConfirmed', data: { recipientId: 'agency', erasureEventId: 'e-1' } }]);
    expect(refusal(() => decide({ ...confirm, erasureEventId: 'e-2' }, erased))).toEqual(
      refused('no_notice_owed', "erasureEventId names no erasure of this subject's data awaiting this recipient's confirmation"),
    );
    expect(refusal(() => decide({ ...confirm, recipientId: 'carrier' }, erased))).toEqual(refused('not_a_recipient', "this recipient never received this subject's data"));
    expect(refusal(() => decide(confirm, { ...erased, erasureConfirmations: new Map([['agency', 'k-1']]) }))).toEqual(
      refused('already_confirmed', 'this recipient already confirmed'),
    );
  });

  it('takes an access request, and fulfils only one that is open', () => {
    const digest = 'a'.repeat(64);
    expect(decide({ type: 'requestAccess', right: 'portability', now })).toEqual([
      { type: 'AccessRequestReceived', data: { right: 'portability', dueBy: '2026-07-01T23:59:59.999Z' } },
    ]);
    const request = (right: 'access' | 'portability' | 'erasure') => ({ right, receivedAt: '2026-05-01T00:00:00.000Z', dueBy: '2026-06-01T23:59:59.999Z' });
    const open: SubjectState = {
      ...initialSubjectState,
      openRequests: new Map([
        ['a-1', request('access')],
        ['p-1', request('portability')],
        ['e-1', request('erasure')],
      ]),
    };
    for (const requestEventId of ['a-1', 'p-1'])
      expect(decide({ type: 'fulfilAccessRequest', requestEventId, digest }, open)).toEqual([
        { type: 'AccessRequestFulfilled', data: { requestEventId, format: 'application/json', digest } },
      ]);
    const none = refused('no_open_request', 'there is no such open access request');
    expect(refusal(() => decide({ type: 'fulfilAccessRequest', requestEventId: 'a-2', digest }, open))).toEqual(none);
    // An erasure request is answered by the erasure, not by an export.
    expect(refusal(() => decide({ type: 'fulfilAccessRequest', requestEventId: 'e-1', digest }, open))).toEqual(none);
  });

  it('records a denied use, access or share with what was asked, the reason and its detail', () => {
    const stranger: Actor = { id: 'intern', kind: 'employee', roles: ['support'] };
    const detail = 'purpose marketing.email may be acted on by marketing; the actor has support';
    expect(decide({ type: 'use', actor: stranger, purpose: 'marketing.email', categories: ['contact.email'], activity: 'c1', now }, held)).toEqual([
      {
        type: 'UseDenied',
        data: { operation: 'use', purpose: 'marketing.email', categories: ['contact.email'], activity: 'c1', recipientId: undefined, reason: 'role_not_allowed', detail },
      },
    ]);
    expect(decide({ type: 'access', actor: stranger, purpose: 'marketing.email', categories: ['contact.email'], now }, held)).toEqual([
      {
        type: 'UseDenied',
        data: { operation: 'access', purpose: 'marketing.email', categories: ['contact.email'], activity: undefined, recipientId: undefined, reason: 'role_not_allowed', detail },
      },
    ]);
    const verified: RecipientState = {
      registered: { eventId: 'r1', name: 'Agency', agreement: 'dpa-1', country: 'DE', at: '2026-01-01T00:00:00.000Z' },
      verified: { eventId: 'r2', at: '2026-01-02T00:00:00.000Z' },
    };
    expect(decide({ type: 'share', actor: stranger, recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'], now, recipient: verified }, held)).toEqual([
      {
        type: 'UseDenied',
        data: { operation: 'share', purpose: 'marketing.email', categories: ['contact.email'], activity: undefined, recipientId: 'agency', reason: 'role_not_allowed', detail },
      },
    ]);
  });

  it('judges a share by the recipient given with it', () => {
    const fraudster: Actor = { id: 'fraud-svc', kind: 'service', roles: ['fraud'] };
    const share: SubjectCommand = {
      type: 'share',
      actor: fraudster,
      recipientId: 'agency',
      purpose: 'fraud.prevention',
      categories: ['contact.email'],
      now,
      recipient: initialRecipientState,
    };
    expect(decide(share, held)).toEqual([expect.objectContaining({ type: 'UseDenied', data: expect.objectContaining({ reason: 'sharing_not_allowed' }) })]);
  });
});

describe('the recipient decider, every refusal', () => {
  const registered: RecipientState = { registered: { eventId: 'r1', name: 'Agency', agreement: 'dpa-1', country: 'DE', at: '2026-01-01T00:00:00.000Z' } };
  const verified: RecipientState = { ...registered, verified: { eventId: 'r2', at: '2026-01-02T00:00:00.000Z' } };
  const suspended: RecipientState = { ...verified, suspended: { eventId: 'r3', reason: 'breach', at: '2026-02-01T00:00:00.000Z' } };
  const message = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      const { reason, message: text } = error as CommandRefusedError;
      return { reason, message: text };
    }
    throw new Error('the command was not refused');
  };

  it('verifies a registered recipient once, and again only to lift a suspension', () => {
    const verify: RecipientCommand = { type: 'verifyRecipient', recipientId: 'agency', evidence: 'audit-2026' };
    expect(decideRecipient(verify, registered)).toEqual([{ type: 'RecipientVerified', data: { recipientId: 'agency', evidence: 'audit-2026' } }]);
    expect(decideRecipient(verify, suspended)).toEqual([{ type: 'RecipientVerified', data: { recipientId: 'agency', evidence: 'audit-2026' } }]);
    expect(message(() => decideRecipient(verify, verified))).toEqual({ reason: 'already_verified', message: 'the recipient is already verified' });
    expect(message(() => decideRecipient(verify, initialRecipientState))).toEqual({ reason: 'recipient_unknown', message: 'the recipient is not registered' });
  });

  it('suspends a registered recipient once', () => {
    const suspend: RecipientCommand = { type: 'suspendRecipient', recipientId: 'agency', reason: 'breach' };
    expect(decideRecipient(suspend, registered)).toEqual([{ type: 'RecipientSuspended', data: { recipientId: 'agency', reason: 'breach' } }]);
    expect(message(() => decideRecipient(suspend, suspended))).toEqual({ reason: 'already_suspended', message: 'the recipient is already suspended' });
    expect(message(() => decideRecipient(suspend, initialRecipientState))).toEqual({ reason: 'recipient_unknown', message: 'the recipient is not registered' });
    expect(message(() => decideRecipient({ type: 'registerRecipient', recipientId: 'agency', name: 'A', agreement: 'd', country: 'DE' }, registered))).toEqual({
      reason: 'already_registered',
      message: 'the recipient is already registered',
    });
  });
});

describe('extending the deadline of a request (Art. 12(3))', () => {
  const REQUEST = '00000000-0000-7000-8000-0000000000e1';
  // Received 31 January: due by the end of 28 February, extendable to the end of 30 April.
  const requested: GivenEvent = { id: REQUEST, type: 'ErasureRequested', data: { dueBy: '2026-02-28T23:59:59.999Z' }, occurredAt: '2026-01-31T10:00:00.000Z' };
  const extend = (overrides: Partial<Extract<SubjectCommand, { type: 'extendRequestDeadline' }>> = {}): SubjectCommand => ({
    type: 'extendRequestDeadline',
    requestEventId: REQUEST,
    reason: 'complexity',
    now: new Date('2026-02-10T12:00:00.000Z'),
    ...overrides,
  });
  const extended = (until: string, reason: 'complexity' | 'number_of_requests' = 'complexity') => [
    { type: 'RequestDeadlineExtended', data: { requestEventId: REQUEST, until, reason } },
  ];

  it('extends to the latest the law allows when no day is given: three calendar months from receipt', () =>
    spec.given([requested]).when(extend()).then(extended('2026-04-30T23:59:59.999Z')));
  it('extends to the end of the day given, with the reason and the sealed note', () =>
    spec
      .given([requested])
      .when(extend({ until: new Date('2026-03-15T08:00:00.000Z'), reason: 'number_of_requests', note: 'gcm1.aaaa.bbbb' }))
      .then([{ type: 'RequestDeadlineExtended', data: { requestEventId: REQUEST, until: '2026-03-15T23:59:59.999Z', reason: 'number_of_requests', note: 'gcm1.aaaa.bbbb' } }]));
  it('extends an access request too', () =>
    spec
      .given([{ id: REQUEST, type: 'AccessRequestReceived', data: { right: 'portability' }, occurredAt: '2026-01-31T10:00:00.000Z' }])
      .when(extend())
      .then(extended('2026-04-30T23:59:59.999Z')));
  it('still extends on the last day of the deadline', () =>
    spec
      .given([requested])
      .when(extend({ now: new Date('2026-02-28T23:59:59.999Z') }))
      .then(extended('2026-04-30T23:59:59.999Z')));
  it('extends to the last day allowed, not a day more', () => {
    spec
      .given([requested])
      .when(extend({ until: new Date('2026-04-30T00:00:00.000Z') }))
      .then(extended('2026-04-30T23:59:59.999Z'));
    spec
      .given([requested])
      .when(extend({ until: new Date('2026-05-01T00:00:00.000Z') }))
      .thenThrows('COMMAND_REFUSED', 'extension_too_long', 'until may be at most two months past the deadline: three calendar months from receipt');
  });
  it('refuses a day that is not after the deadline', () =>
    spec
      .given([requested])
      .when(extend({ until: new Date('2026-02-28T06:00:00.000Z') }))
      .thenThrows('COMMAND_REFUSED', 'extension_not_later', 'until must be a day after the deadline it extends'));
  it('refuses once the deadline has passed', () =>
    spec
      .given([requested])
      .when(extend({ now: new Date('2026-03-01T00:00:00.000Z') }))
      .thenThrows('COMMAND_REFUSED', 'deadline_passed', 'the deadline of this request has passed; an extension must be recorded before it'));
  it('refuses a second extension', () =>
    spec
      .given([requested, { type: 'RequestDeadlineExtended', data: { requestEventId: REQUEST, until: '2026-03-15T23:59:59.999Z', reason: 'complexity' } }])
      .when(extend({ now: new Date('2026-03-02T00:00:00.000Z') }))
      .thenThrows('COMMAND_REFUSED', 'already_extended', 'the deadline of this request was already extended; Art. 12(3) allows one extension'));
  it('refuses a request that is unknown, or already answered', () => {
    spec
      .given([requested])
      .when(extend({ requestEventId: '00000000-0000-7000-8000-0000000000ff' }))
      .thenThrows('COMMAND_REFUSED', 'no_open_request', 'requestEventId names no open access, portability or erasure request of this subject');
    spec
      .given([requested, { type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [] } }])
      .when(extend())
      .thenThrows('COMMAND_REFUSED', 'no_open_request');
  });
});
