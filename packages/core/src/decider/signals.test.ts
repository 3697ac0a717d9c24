import { describe, expect, it } from '@jest/globals';
import { deciderSpec, type GivenEvent } from '@custodian/testing';
import type { Actor } from '../events';
import { definePolicy } from '../policy';
import type { SubjectCommand } from './decide';
import { subjectDecider } from './decider';

// Global Privacy Control (issue 13, item 3) and the absolute objection to direct marketing
// (item 7), given/when/then on the pure decider: no store, no ledger.

const policy = definePolicy({
  purposes: {
    'ads.retargeting': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['ads'], sharing: true, retention: 'P1Y', optOutSignals: ['gpc'] },
    'partners.sale': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['ads'], sharing: true, retention: 'P1Y', optOutSignals: ['gpc'] },
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y', directMarketing: true },
    'marketing.post': { legalBasis: 'legitimate_interests', categories: ['contact.address'], roles: ['marketing'], retention: 'P2Y', directMarketing: true },
    'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['fraud'], retention: 'P1Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
const spec = deciderSpec(subjectDecider(policy));

const SIGNAL_ID = '00000000-0000-7000-8000-0000000005a1';
const APPLIED_ID = '00000000-0000-7000-8000-0000000005a2';
const OBJECTION_ID = '00000000-0000-7000-8000-0000000000b1';
const GRANT_ID = '00000000-0000-7000-8000-0000000000c1';
const now = new Date('2026-06-01T00:00:00.000Z');
const notice = { id: 'privacy-notice', version: 'v3' };
const source = { kind: 'http-header', origin: 'https://shop.example' } as const;

const customer: Actor = { id: 'subject-under-test', kind: 'subject', roles: [] };
const support: Actor = { id: 'agent-7', kind: 'employee', roles: ['privacy'] };
const signupService: Actor = { id: 'signup-web', kind: 'service', roles: ['privacy'] };
const ACTORS: Record<string, Actor> = {
  ads: { id: 'ad-server', kind: 'service', roles: ['ads'] },
  marketing: { id: 'campaigns', kind: 'service', roles: ['marketing'] },
  fraud: { id: 'fraud-svc', kind: 'service', roles: ['fraud'] },
  fulfilment: { id: 'warehouse', kind: 'service', roles: ['fulfilment'] },
};

const collected: GivenEvent = {
  type: 'DataCollected',
  data: {
    categories: ['contact.email', 'contact.address', 'behavioural.browsing'],
    source: 'checkout',
    purposes: Object.keys(Object.fromEntries(policy.purposes)),
    legalBases: Object.fromEntries([...policy.purposes].map(([purpose, rule]) => [purpose, rule.legalBasis])),
    notice,
    retainUntil: '2032-01-01T00:00:00.000Z',
    values: { 'contact.email': 'gcm1.aaaa.bbbb', 'contact.address': 'gcm1.cccc.dddd', 'behavioural.browsing': 'gcm1.eeee.ffff' },
  },
};
const consented = (purpose: string, id?: string, overrides: { overridesSignal?: string; overridesObjection?: string } = {}): GivenEvent => ({
  ...(id && { id }),
  type: 'ConsentGranted',
  data: { purpose, notice, method: 'web-form', ...overrides },
});
const signalled = (purposes: string[], id = SIGNAL_ID): GivenEvent => ({ id, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes } });
const objected = (purposes?: string[], id = OBJECTION_ID): GivenEvent => ({ id, type: 'ObjectionRaised', data: purposes ? { purposes } : {} });
const withdrawn = (purpose: string): GivenEvent => ({ type: 'ConsentWithdrawn', data: { purpose } });

const FLAGGED = ['ads.retargeting', 'partners.sale'];
const CATEGORY: Record<string, string> = {
  'ads.retargeting': 'behavioural.browsing',
  'partners.sale': 'contact.email',
  'marketing.email': 'contact.email',
  'marketing.post': 'contact.address',
  'fraud.prevention': 'contact.email',
  'order.fulfilment': 'contact.email',
};
const ROLE: Record<string, string> = {
  'ads.retargeting': 'ads',
  'partners.sale': 'ads',
  'marketing.email': 'marketing',
  'marketing.post': 'marketing',
  'fraud.prevention': 'fraud',
  'order.fulfilment': 'fulfilment',
};
const use = (purpose: string): SubjectCommand => ({
  type: 'use',
  actor: ACTORS[ROLE[purpose] ?? ''] as Actor,
  purpose,
  categories: [CATEGORY[purpose] ?? ''],
  activity: 'campaign:summer',
  now,
});
const apply = (receivedAt?: string): SubjectCommand => ({ type: 'applyPrivacySignal', signal: 'gpc', source, eventId: APPLIED_ID, ...(receivedAt && { receivedAt }) });
const grant = (purpose: string, actor: Actor): SubjectCommand => ({ type: 'grantConsent', actor, purpose, notice, method: 'web-form' });
const allowed = expect.objectContaining({ type: 'DataUsed' });

describe('a Global Privacy Control signal', () => {
  it('opts the subject out of exactly the purposes the policy marks with it, recording where it came from', () =>
    spec
      .given([collected])
      .when(apply('2026-05-31T23:59:00.000Z'))
      .then([{ id: APPLIED_ID, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes: FLAGGED, receivedAt: '2026-05-31T23:59:00.000Z' } }]));

  it('refuses, naming why, every use of a purpose it opted out of, whatever its basis and whether or not consent was given before', () => {
    spec
      .given([collected, consented('ads.retargeting'), signalled(FLAGGED)])
      .when(use('ads.retargeting'))
      .then([
        expect.objectContaining({
          type: 'UseDenied',
          data: expect.objectContaining({ reason: 'opted_out', detail: 'the subject opted out of ads.retargeting by a gpc signal' }),
        }),
      ]);
    spec
      .given([collected, signalled(FLAGGED)])
      .when(use('partners.sale'))
      .thenDenied('opted_out');
    spec.given([collected]).when(use('partners.sale')).then([allowed]);
  });

  it('leaves every purpose it does not mark as it was', () => {
    for (const purpose of ['marketing.email', 'order.fulfilment', 'fraud.prevention'])
      spec
        .given([collected, consented('marketing.email'), signalled(FLAGGED)])
        .when(use(purpose))
        .then([allowed]);
  });

  it('never grants: a purpose with no consent stays refused, and opted out', () => {
    spec
      .given([collected, signalled(FLAGGED)])
      .when(use('ads.retargeting'))
      .thenDenied('opted_out');
    spec
      .given([collected])
      .when(apply())
      .then([expect.objectContaining({ type: 'PrivacySignalApplied' })]);
  });

  it('keeps the opt-out when the consent under it is withdrawn', () =>
    spec
      .given([collected, consented('ads.retargeting'), signalled(FLAGGED), withdrawn('ads.retargeting')])
      .when(use('ads.retargeting'))
      .thenDenied('opted_out'));

  it('applied again, opts out only of what is not opted out already, and of nothing twice', () => {
    spec
      .given([collected, signalled(['ads.retargeting'])])
      .when(apply())
      .then([{ id: APPLIED_ID, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes: ['partners.sale'] } }]);
    spec
      .given([collected, signalled(FLAGGED)])
      .when(apply())
      .thenThrows('COMMAND_REFUSED', 'nothing_to_opt_out', 'the subject is already opted out of every purpose a gpc signal opts out of');
  });

  it('opts out again of a purpose the subject opted back into', () =>
    spec
      .given([collected, signalled(FLAGGED), consented('ads.retargeting', GRANT_ID, { overridesSignal: SIGNAL_ID })])
      .when(apply())
      .then([{ id: APPLIED_ID, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes: ['ads.retargeting'] } }]));

  it('owes a notice to each recipient sent data for a purpose it opts out of, whatever the basis, and to no other', () => {
    const shared = (recipientId: string, purpose: string, categories: string[], legalBasis: 'consent' | 'legitimate_interests' | 'contract'): GivenEvent => ({
      type: 'DataShared',
      data: { recipientId, purpose, categories, agreement: 'dpa-1', basis: legalBasis === 'consent' ? { legalBasis, consentEventId: GRANT_ID } : { legalBasis } },
    });
    const owed = (recipientId: string, categories: string[]) => ({
      type: 'RecipientNoticeOwed',
      data: { recipientId, reason: 'opted_out', changeEventId: APPLIED_ID, categories },
    });
    spec
      .given([
        collected,
        consented('ads.retargeting', GRANT_ID),
        shared('ad-network', 'ads.retargeting', ['behavioural.browsing'], 'consent'),
        shared('data-broker', 'partners.sale', ['contact.email'], 'legitimate_interests'),
        { type: 'ShareRevoked', data: { recipientId: 'data-broker' } },
        shared('carrier', 'order.fulfilment', ['contact.address'], 'contract'),
      ])
      .when(apply())
      .then([
        { id: APPLIED_ID, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes: FLAGGED } },
        owed('ad-network', ['behavioural.browsing']),
        owed('data-broker', ['contact.email']),
      ]);
    spec
      .given([collected, signalled(['ads.retargeting']), shared('ad-network', 'ads.retargeting', ['behavioural.browsing'], 'consent')])
      .when(apply())
      .then([{ id: APPLIED_ID, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes: ['partners.sale'] } }]);
    // A recipient sent data for such a purpose among others is told, of its whole copy.
    spec
      .given([collected, shared('carrier', 'order.fulfilment', ['contact.address'], 'contract'), shared('carrier', 'partners.sale', ['contact.email'], 'legitimate_interests')])
      .when(apply())
      .then([{ id: APPLIED_ID, type: 'PrivacySignalApplied', data: { signal: 'gpc', source, purposes: FLAGGED } }, owed('carrier', ['contact.address', 'contact.email'])]);
  });

  it('is refused under a policy that marks no purpose with it', () => {
    const unmarked = definePolicy({ purposes: { 'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], retention: 'P6Y' } } });
    deciderSpec(subjectDecider(unmarked))
      .given([])
      .when(apply())
      .thenThrows('COMMAND_REFUSED', 'nothing_to_opt_out', 'the policy marks no purpose as one a gpc signal opts out of');
  });
});

describe('a grant after a signal', () => {
  it('is refused unless the subject gives it herself: a service or an agent would re-enable what the signal stopped', () => {
    for (const actor of [signupService, support])
      spec
        .given([collected, signalled(FLAGGED)])
        .when(grant('ads.retargeting', actor))
        .thenThrows('COMMAND_REFUSED', 'opted_out_by_signal', 'the subject opted out of this purpose by a gpc signal; only her own explicit grant lifts it');
  });

  it('by the subject herself, is recorded as lifting the signal for its purpose, and the purpose may be used again', () => {
    spec
      .given([collected, signalled(FLAGGED)])
      .when(grant('ads.retargeting', customer))
      .then([{ type: 'ConsentGranted', data: { purpose: 'ads.retargeting', notice, method: 'web-form', overridesSignal: SIGNAL_ID } }]);
    spec
      .given([collected, signalled(FLAGGED), consented('ads.retargeting', GRANT_ID, { overridesSignal: SIGNAL_ID })])
      .when(use('ads.retargeting'))
      .then([expect.objectContaining({ type: 'DataUsed', data: expect.objectContaining({ basis: { legalBasis: 'consent', consentEventId: GRANT_ID } }) })]);
  });

  it('lifts only its own purpose', () =>
    spec
      .given([collected, signalled(FLAGGED), consented('ads.retargeting', GRANT_ID, { overridesSignal: SIGNAL_ID })])
      .when(use('partners.sale'))
      .thenDenied('opted_out'));

  it('names no signal where none stands', () =>
    spec
      .given([collected])
      .when(grant('ads.retargeting', signupService))
      .then([{ type: 'ConsentGranted', data: { purpose: 'ads.retargeting', notice, method: 'web-form' } }]));
});

describe('an objection to direct marketing', () => {
  it('stops a direct-marketing purpose whatever its basis, consent included', () => {
    spec
      .given([collected, consented('marketing.email'), objected(['marketing.email'])])
      .when(use('marketing.email'))
      .then([
        expect.objectContaining({
          type: 'UseDenied',
          data: expect.objectContaining({ reason: 'objection', detail: 'the subject objected to direct marketing for marketing.email' }),
        }),
      ]);
    spec
      .given([collected, objected(['marketing.post'])])
      .when(use('marketing.post'))
      .thenDenied('objection');
  });

  it('raised without purposes covers every direct-marketing purpose, and leaves a consent purpose that is not one', () => {
    spec
      .given([collected, consented('marketing.email'), objected()])
      .when(use('marketing.email'))
      .thenDenied('objection');
    spec
      .given([collected, consented('ads.retargeting'), objected()])
      .when(use('ads.retargeting'))
      .then([allowed]);
  });

  it('to one purpose leaves the other direct-marketing purposes', () =>
    spec
      .given([collected, consented('marketing.email'), objected(['marketing.post'])])
      .when(use('marketing.email'))
      .then([allowed]));

  it('is not re-enabled by anyone else’s grant: a service’s default, or an agent taking it on the phone', () => {
    for (const actor of [signupService, support])
      spec
        .given([collected, objected(['marketing.email'])])
        .when(grant('marketing.email', actor))
        .thenThrows('COMMAND_REFUSED', 'objection_stands', 'the subject objected to direct marketing for this purpose; only her own explicit grant lifts it');
    spec
      .given([collected, consented('marketing.email'), objected(['marketing.email'])])
      .when(grant('marketing.email', signupService))
      .thenThrows('COMMAND_REFUSED', 'objection_stands');
  });

  it('is lifted by the subject’s own explicit grant, which says so, and the purpose may be used again', () => {
    spec
      .given([collected, objected()])
      .when(grant('marketing.email', customer))
      .then([{ type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'web-form', overridesObjection: OBJECTION_ID } }]);
    spec
      .given([collected, objected(), consented('marketing.email', GRANT_ID, { overridesObjection: OBJECTION_ID })])
      .when(use('marketing.email'))
      .then([allowed]);
  });

  it('raised again after her grant stops the purpose again, and stands against anyone else’s grant', () => {
    const again = objected(['marketing.email'], '00000000-0000-7000-8000-0000000000b2');
    const history = [collected, objected(), consented('marketing.email', GRANT_ID, { overridesObjection: OBJECTION_ID }), again];
    spec.given(history).when(use('marketing.email')).thenDenied('objection');
    spec.given(history).when(grant('marketing.email', signupService)).thenThrows('COMMAND_REFUSED', 'objection_stands');
  });

  it('once lifted by her grant, does not come back when she withdraws it', () =>
    spec
      .given([collected, objected(), consented('marketing.email', GRANT_ID, { overridesObjection: OBJECTION_ID }), withdrawn('marketing.email')])
      .when(grant('marketing.email', signupService))
      .then([{ type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'web-form' } }]));

  it('does not stop a purpose that is not direct marketing and rests on consent', () =>
    spec
      .given([collected, objected(['ads.retargeting'])])
      .when(grant('ads.retargeting', signupService))
      .then([{ type: 'ConsentGranted', data: { purpose: 'ads.retargeting', notice, method: 'web-form' } }]));

  it('and a signal on the same purpose are both lifted by one grant of hers, which names both', () => {
    const both = definePolicy({
      purposes: {
        'marketing.ads': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc'], directMarketing: true },
      },
    });
    const history = [signalled(['marketing.ads']), objected(['marketing.ads'])];
    deciderSpec(subjectDecider(both))
      .given(history)
      .when(grant('marketing.ads', customer))
      .then([{ type: 'ConsentGranted', data: { purpose: 'marketing.ads', notice, method: 'web-form', overridesSignal: SIGNAL_ID, overridesObjection: OBJECTION_ID } }]);
    deciderSpec(subjectDecider(both)).given(history).when(grant('marketing.ads', support)).thenThrows('COMMAND_REFUSED', 'opted_out_by_signal');
  });
});
