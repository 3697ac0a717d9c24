import { describe, expect, it } from '@jest/globals';
import { deciderSpec, type GivenEvent } from '@custodian/testing';
import { GENESIS_HASH } from '../crypto';
import { events, type CustodianEvent } from '../events';
import { definePolicy } from '../policy';
import { subjectDecider } from './decider';
import { evolveSubject, initialSubjectState } from './subject-state';

// Art. 19: a correction, a restriction, or the withdrawal of the consent a share rested on
// owes a notice to each recipient holding a copy, in the same decision as the change.

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], sharing: true, retention: 'P6Y' },
  },
});
const spec = deciderSpec(subjectDecider(policy));

const notice = { id: 'privacy-notice', version: 'v3' };
const GRANT = '00000000-0000-7000-8000-0000000000a1';
const REGRANT = '00000000-0000-7000-8000-0000000000a2';
const CHANGE = '00000000-0000-7000-8000-0000000000c1';
const OTHER_CHANGE = '00000000-0000-7000-8000-0000000000c2';

const collectedOnSubjectKey = {
  type: 'DataCollected',
  data: {
    categories: ['contact.email', 'contact.address'],
    source: 'checkout',
    purposes: ['marketing.email', 'order.fulfilment'],
    legalBases: { 'marketing.email': 'consent', 'order.fulfilment': 'contract' },
    notice,
    retainUntil: '2032-01-01T00:00:00.000Z',
    values: { 'contact.email': 'gcm1.aaaa.bbbb', 'contact.address': 'gcm1.cccc.dddd' },
  },
} satisfies GivenEvent;
const collected: GivenEvent = collectedOnSubjectKey;
const granted = (id = GRANT): GivenEvent => ({ id, type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'checkbox' } });
const withdrawn: GivenEvent = { type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } };
/** `agency` got the email on marketing consent; `carrier` got the address (and later the email) under the contract. */
const sharedOnConsent = (consentEventId = GRANT): GivenEvent => ({
  type: 'DataShared',
  data: { recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'], agreement: 'dpa-1', basis: { legalBasis: 'consent', consentEventId } },
});
const sharedOnContract = (categories: string[]): GivenEvent => ({
  type: 'DataShared',
  data: { recipientId: 'carrier', purpose: 'order.fulfilment', categories, agreement: 'dpa-2', basis: { legalBasis: 'contract' } },
});
const revoked = (recipientId: string): GivenEvent => ({ type: 'ShareRevoked', data: { recipientId } });
const owed = (recipientId: string, reason: 'rectification' | 'restriction' | 'consent_withdrawn' | 'erasure', categories: string[], purpose?: string) => ({
  type: 'RecipientNoticeOwed',
  data: { recipientId, reason, changeEventId: CHANGE, categories, ...(purpose && { purpose }) },
});
const owedGiven = (recipientId: string, changeEventId = CHANGE): GivenEvent => ({
  type: 'RecipientNoticeOwed',
  data: { recipientId, reason: 'restriction', changeEventId, categories: ['contact.email'] },
});
const erasedAddress: GivenEvent = {
  type: 'DataErased',
  data: { scope: 'categories', method: 'crypto-shred', reason: 'erasure_request', categories: ['contact.address'], recipientsNotified: ['carrier'] },
};
const erased: GivenEvent = { type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: ['agency', 'carrier'] } };

describe('a rectification after a share', () => {
  it('owes a notice to each recipient holding one of the corrected categories, naming only those', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address', 'contact.email'])])
      .when({ type: 'rectify', values: { 'contact.email': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.email': 0 }, eventId: CHANGE })
      .then([
        { id: CHANGE, type: 'DataRectified', data: { categories: ['contact.email'], values: { 'contact.email': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.email': 0 } } },
        owed('agency', 'rectification', ['contact.email']),
        owed('carrier', 'rectification', ['contact.email']),
      ]));

  it('owes nothing to a recipient that holds none of them', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address'])])
      .when({ type: 'rectify', values: { 'contact.address': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.address': 0 }, eventId: CHANGE })
      .then([
        { id: CHANGE, type: 'DataRectified', data: { categories: ['contact.address'], values: { 'contact.address': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.address': 0 } } },
        owed('carrier', 'rectification', ['contact.address']),
      ]));

  it('owes one to a recipient whose share was revoked: it may still hold its copy', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), revoked('agency')])
      .when({ type: 'rectify', values: { 'contact.email': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.email': 0 }, eventId: CHANGE })
      .then([expect.objectContaining({ type: 'DataRectified' }), owed('agency', 'rectification', ['contact.email'])]));

  it('owes nothing when nothing was shared', () =>
    spec
      .given([collected])
      .when({ type: 'rectify', values: { 'contact.email': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.email': 0 }, eventId: CHANGE })
      .then([{ id: CHANGE, type: 'DataRectified', data: { categories: ['contact.email'], values: { 'contact.email': 'gcm1.eeee.ffff' }, sealedWith: { 'contact.email': 0 } } }]));
});

describe('a restriction after a share', () => {
  it('owes a notice to every recipient, for everything it received', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address'])])
      .when({ type: 'restrict', eventId: CHANGE })
      .then([{ id: CHANGE, type: 'ProcessingRestricted', data: {} }, owed('agency', 'restriction', ['contact.email']), owed('carrier', 'restriction', ['contact.address'])]));

  it('still owes notices after some categories were erased on their own: the subject is kept', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address']), erasedAddress])
      .when({ type: 'restrict', eventId: CHANGE })
      .then([{ id: CHANGE, type: 'ProcessingRestricted', data: {} }, owed('agency', 'restriction', ['contact.email']), owed('carrier', 'restriction', ['contact.address'])]));

  it('owes nothing once the subject is erased: the erasure notice asked for everything', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), erased])
      .when({ type: 'restrict', eventId: CHANGE })
      .then([{ id: CHANGE, type: 'ProcessingRestricted', data: {} }]));
});

describe('a withdrawal of consent', () => {
  it('owes a notice to the recipients sent data on that consent, and not to those sent data on another basis', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), sharedOnContract(['contact.email'])])
      .when({ type: 'withdrawConsent', purpose: 'marketing.email', eventId: CHANGE })
      .then([{ id: CHANGE, type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } }, owed('agency', 'consent_withdrawn', ['contact.email'], 'marketing.email')]));

  it('owes one to a recipient sent data under an earlier grant the current one replaced', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), granted(REGRANT)])
      .when({ type: 'withdrawConsent', purpose: 'marketing.email', eventId: CHANGE })
      .then([expect.objectContaining({ type: 'ConsentWithdrawn' }), owed('agency', 'consent_withdrawn', ['contact.email'], 'marketing.email')]));

  it('owes nothing again for a copy a withdrawal before already covered', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), withdrawn, granted(REGRANT)])
      .when({ type: 'withdrawConsent', purpose: 'marketing.email', eventId: CHANGE })
      .then([{ id: CHANGE, type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } }]));

  it('owes one for a share made on the new grant after an earlier withdrawal', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), withdrawn, granted(REGRANT), sharedOnConsent(REGRANT)])
      .when({ type: 'withdrawConsent', purpose: 'marketing.email', eventId: CHANGE })
      .then([expect.objectContaining({ type: 'ConsentWithdrawn' }), owed('agency', 'consent_withdrawn', ['contact.email'], 'marketing.email')]));
});

describe('an erasure of some categories after a share', () => {
  // Sealed under a key per category, so one category can be erased alone.
  const collected: GivenEvent = { ...collectedOnSubjectKey, data: { ...collectedOnSubjectKey.data, sealedWith: { 'contact.email': 0, 'contact.address': 0 } } };
  const erasedByRequest = (categories: string[], recipientsNotified: string[]) => ({
    id: CHANGE,
    type: 'DataErased',
    data: { scope: 'categories', method: 'crypto-shred', reason: 'erasure_request', categories, recipientsNotified },
  });

  it('owes a notice to each recipient holding a copy of an erased category, naming only those categories', () =>
    spec
      .given([collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address', 'contact.email'])])
      .when({ type: 'erase', categories: ['contact.address'], eventId: CHANGE })
      .then([erasedByRequest(['contact.address'], ['carrier']), owed('carrier', 'erasure', ['contact.address'])]));

  it('owes nothing to a recipient that holds none of them', () =>
    spec
      .given([collected, granted(), sharedOnConsent()])
      .when({ type: 'erase', categories: ['contact.address'], eventId: CHANGE })
      .then([erasedByRequest(['contact.address'], [])]));

  const afterErasure = [
    collected,
    sharedOnContract(['contact.address']),
    erasedByRequest(['contact.address'], ['carrier']) as GivenEvent,
    { ...owed('carrier', 'erasure', ['contact.address']), id: 'n-1' } as GivenEvent,
  ];

  it('is confirmed by the recipient’s erasure confirmation, naming the erasure or not', () => {
    const confirmed = [{ type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: CHANGE } }];
    spec.given(afterErasure).when({ type: 'confirmRecipientErasure', recipientId: 'carrier' }).then(confirmed);
    spec.given(afterErasure).when({ type: 'confirmRecipientErasure', recipientId: 'carrier', erasureEventId: CHANGE }).then(confirmed);
  });

  it('confirms every erasure still awaiting the recipient at once, and none twice', () => {
    const secondErasure: GivenEvent[] = [
      { type: 'DataErased', id: OTHER_CHANGE, data: { scope: 'categories', method: 'crypto-shred', categories: ['contact.email'], recipientsNotified: ['carrier'] } },
      { type: 'RecipientNoticeOwed', data: { recipientId: 'carrier', reason: 'erasure', changeEventId: OTHER_CHANGE, categories: ['contact.email'] } },
    ];
    spec
      .given([...afterErasure, ...secondErasure])
      .when({ type: 'confirmRecipientErasure', recipientId: 'carrier' })
      .then([
        { type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: CHANGE } },
        { type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: OTHER_CHANGE } },
      ]);
    spec
      .given([...afterErasure, ...secondErasure, { type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: CHANGE } }])
      .when({ type: 'confirmRecipientErasure', recipientId: 'carrier' })
      .then([{ type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: OTHER_CHANGE } }]);
  });

  it('refuses a confirmation when nothing awaits it: confirmed already, another change named, or a notice of another kind', () => {
    const confirmedAlready = [...afterErasure, { type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: CHANGE } } as GivenEvent];
    spec.given(confirmedAlready).when({ type: 'confirmRecipientErasure', recipientId: 'carrier' }).thenThrows('COMMAND_REFUSED', 'not_erased');
    spec.given(afterErasure).when({ type: 'confirmRecipientErasure', recipientId: 'carrier', erasureEventId: OTHER_CHANGE }).thenThrows('COMMAND_REFUSED', 'no_notice_owed');
    spec
      .given([collected, sharedOnContract(['contact.address']), owedGiven('carrier')])
      .when({ type: 'confirmRecipientErasure', recipientId: 'carrier', erasureEventId: CHANGE })
      .thenThrows('COMMAND_REFUSED', 'no_notice_owed');
    spec.given(afterErasure).when({ type: 'confirmRecipientErasure', recipientId: 'agency' }).thenThrows('COMMAND_REFUSED', 'not_a_recipient');
  });
});

describe('confirming a notice', () => {
  const given = [collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address']), owedGiven('agency')];

  it('records the confirmation of a notice owed', () =>
    spec
      .given(given)
      .when({ type: 'confirmRecipientNotice', recipientId: 'agency', changeEventId: CHANGE })
      .then([{ type: 'RecipientNoticeConfirmed', data: { recipientId: 'agency', changeEventId: CHANGE } }]));

  it('refuses a notice of a change never owed', () =>
    spec
      .given(given)
      .when({ type: 'confirmRecipientNotice', recipientId: 'agency', changeEventId: OTHER_CHANGE })
      .thenThrows('COMMAND_REFUSED', 'no_notice_owed', 'no notice of this change is owed to this recipient'));

  it('refuses a notice owed to another recipient', () =>
    spec.given(given).when({ type: 'confirmRecipientNotice', recipientId: 'carrier', changeEventId: CHANGE }).thenThrows('COMMAND_REFUSED', 'no_notice_owed'));

  it('refuses a recipient that never received the data', () =>
    spec
      .given(given)
      .when({ type: 'confirmRecipientNotice', recipientId: 'stranger', changeEventId: CHANGE })
      .thenThrows('COMMAND_REFUSED', 'not_a_recipient', "this recipient never received this subject's data"));

  it('refuses a second confirmation', () =>
    spec
      .given([...given, { type: 'RecipientNoticeConfirmed', data: { recipientId: 'agency', changeEventId: CHANGE } }])
      .when({ type: 'confirmRecipientNotice', recipientId: 'agency', changeEventId: CHANGE })
      .thenThrows('COMMAND_REFUSED', 'already_confirmed', 'this recipient already confirmed'));
});

describe('the state the notices leave', () => {
  let n = 0;
  const recorded = (draft: GivenEvent): CustodianEvent => {
    const { id, ...rest } = draft;
    const event = events.envelope(rest, { stream: 'subject-s', subjectId: 's', actor: { id: 'spec', kind: 'service', roles: [] }, now: new Date(0), id: id ?? `e-${++n}` });
    return { ...event, prevHash: GENESIS_HASH, hash: GENESIS_HASH } as CustodianEvent;
  };

  it('keeps each notice by change and recipient until confirmed, and ignores a confirmation of none', () => {
    const fold = (drafts: GivenEvent[]) => drafts.map(recorded).reduce(evolveSubject, initialSubjectState);
    const owedOnly = fold([
      { ...owedGiven('agency'), id: 'n-1' },
      { ...owedGiven('carrier'), id: 'n-2' },
    ]);
    expect([...owedOnly.recipientNotices.get(CHANGE)!]).toEqual([
      ['agency', { noticeEventId: 'n-1', reason: 'restriction' }],
      ['carrier', { noticeEventId: 'n-2', reason: 'restriction' }],
    ]);
    const confirmed = evolveSubject(owedOnly, recorded({ id: 'k-1', type: 'RecipientNoticeConfirmed', data: { recipientId: 'agency', changeEventId: CHANGE } }));
    expect(confirmed.recipientNotices.get(CHANGE)?.get('agency')).toEqual({ noticeEventId: 'n-1', reason: 'restriction', confirmedEventId: 'k-1' });
    expect(confirmed.recipientNotices.get(CHANGE)?.get('carrier')).toEqual({ noticeEventId: 'n-2', reason: 'restriction' });
    const stray = recorded({ type: 'RecipientNoticeConfirmed', data: { recipientId: 'agency', changeEventId: OTHER_CHANGE } });
    expect(evolveSubject(confirmed, stray).recipientNotices).toBe(confirmed.recipientNotices);
  });

  it('forgets the consent shares of a purpose once its consent is withdrawn, and keeps none made on another basis', () => {
    const state = [collected, granted(), sharedOnConsent(), sharedOnContract(['contact.address'])].map(recorded).reduce(evolveSubject, initialSubjectState);
    expect([...state.sharedOnConsent]).toEqual([['marketing.email', new Map([['agency', ['contact.email']]])]]);
    expect(evolveSubject(state, recorded(withdrawn)).sharedOnConsent.size).toBe(0);
  });
});
