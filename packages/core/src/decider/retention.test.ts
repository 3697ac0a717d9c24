import { describe, expect, it } from '@jest/globals';
import { deciderSpec, type GivenEvent } from '@custodian/testing';
import type { Actor } from '../events';
import { definePolicy } from '../policy';
import { subjectDecider } from './decider';
import type { SubjectCommand } from './decide';
import { evolveSubject, initialSubjectState } from './subject-state';

// Retention per purpose, and the erasures that end it: given a subject's events, when a
// command, then what is decided. No store, no keys.

const policy = definePolicy({
  purposes: {
    'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email', 'contact.address'], roles: ['fraud'], retention: 'P30D' },
    'marketing.email': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
const spec = deciderSpec(subjectDecider(policy));
const notice = { id: 'privacy-notice', version: 'v3' };
const fraudService: Actor = { id: 'fraud-check', kind: 'service', roles: ['fraud'] };
const campaigns: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };

const COLLECTED_AT = '2026-01-01T00:00:00.000Z';
const FRAUD_ENDS = '2026-01-31T00:00:00.000Z';
const MARKETING_ENDS = '2028-01-01T00:00:00.000Z';
const COLLECTION_ID = '00000000-0000-7000-8000-0000000c0001';
const ERASURE_ID = '00000000-0000-7000-8000-0000000e0001';

/** Email collected for fraud prevention (P30D) and marketing (P2Y), as the ledger records it. */
const emailCollected: GivenEvent = {
  id: COLLECTION_ID,
  occurredAt: COLLECTED_AT,
  type: 'DataCollected',
  data: {
    categories: ['contact.email'],
    source: 'checkout',
    purposes: ['fraud.prevention', 'marketing.email'],
    legalBases: { 'fraud.prevention': 'legitimate_interests', 'marketing.email': 'legitimate_interests' },
    notice,
    retainUntil: MARKETING_ENDS,
    retention: { 'contact.email': { 'fraud.prevention': FRAUD_ENDS, 'marketing.email': MARKETING_ENDS } },
    values: { 'contact.email': 'gcm1.aaaa.bbbb' },
    sealedWith: { 'contact.email': 0 },
  },
};

/** The address, for fraud prevention only. */
const addressCollected: GivenEvent = {
  occurredAt: COLLECTED_AT,
  type: 'DataCollected',
  data: {
    categories: ['contact.address'],
    source: 'checkout',
    purposes: ['fraud.prevention'],
    legalBases: { 'fraud.prevention': 'legitimate_interests' },
    notice,
    retainUntil: FRAUD_ENDS,
    retention: { 'contact.address': { 'fraud.prevention': FRAUD_ENDS } },
    values: { 'contact.address': 'gcm1.cccc.dddd' },
    sealedWith: { 'contact.address': 0 },
  },
};

/** Email and phone collected before keys per category: sealed under the subject's one key, at schema version 1. */
const legacyCollected: GivenEvent = {
  occurredAt: COLLECTED_AT,
  type: 'DataCollected',
  data: {
    categories: ['contact.email', 'contact.phone'],
    source: 'crm',
    purposes: ['order.fulfilment'],
    legalBases: { 'order.fulfilment': 'contract' },
    notice,
    retainUntil: '2032-01-01T00:00:00.000Z',
    values: { 'contact.email': 'gcm1.eeee.ffff', 'contact.phone': 'gcm1.gggg.hhhh' },
  },
};

const use = (actor: Actor, purpose: string, at: string, categories = ['contact.email']): SubjectCommand => ({
  type: 'use',
  actor,
  purpose,
  categories,
  activity: 'check',
  now: new Date(at),
});
const enforce = (at: string): SubjectCommand => ({ type: 'enforceRetention', now: new Date(at), eventId: ERASURE_ID });
const erased = (categories: string[], reason: 'erasure_request' | 'retention_expired', recipientsNotified: string[] = []) => ({
  type: 'DataErased',
  data: { scope: 'categories', method: 'crypto-shred', reason, categories, recipientsNotified },
});
/** The erasure as decided: under the id the command gave it, which its notices name. */
const decided = (...args: Parameters<typeof erased>) => ({ id: ERASURE_ID, ...erased(...args) });
const erasureNotice = (recipientId: string, categories: string[]) => ({
  type: 'RecipientNoticeOwed',
  data: { recipientId, reason: 'erasure', changeEventId: ERASURE_ID, categories },
});

describe('a use is refused once its own purpose’s retention has run out', () => {
  it('refuses fraud prevention 59 days after the collection, while marketing may still use the email', () => {
    const day59 = '2026-03-01T00:00:00.000Z';
    spec
      .given([emailCollected])
      .when(use(fraudService, 'fraud.prevention', day59))
      .thenDenied('retention_expired');
    spec
      .given([emailCollected])
      .when(use(campaigns, 'marketing.email', day59))
      .then([expect.objectContaining({ type: 'DataUsed', data: expect.objectContaining({ purpose: 'marketing.email' }) })]);
  });

  it('allows fraud prevention until the last millisecond of its own retention', () => {
    spec
      .given([emailCollected])
      .when(use(fraudService, 'fraud.prevention', '2026-01-30T23:59:59.999Z'))
      .then([expect.objectContaining({ type: 'DataUsed' })]);
    spec
      .given([emailCollected])
      .when(use(fraudService, 'fraud.prevention', FRAUD_ENDS))
      .thenDenied('retention_expired');
  });

  it('restarts a purpose’s retention at its next collection, keeping the other purposes’', () => {
    const again: GivenEvent = {
      ...addressCollected,
      occurredAt: '2026-02-15T00:00:00.000Z',
      data: {
        categories: ['contact.email'],
        source: 'support',
        purposes: ['fraud.prevention'],
        legalBases: { 'fraud.prevention': 'legitimate_interests' },
        notice,
        retainUntil: '2026-03-17T00:00:00.000Z',
        retention: { 'contact.email': { 'fraud.prevention': '2026-03-17T00:00:00.000Z' } },
        values: { 'contact.email': 'gcm1.iiii.jjjj' },
        sealedWith: { 'contact.email': 0 },
      },
    };
    spec
      .given([emailCollected, again])
      .when(use(fraudService, 'fraud.prevention', '2026-03-01T00:00:00.000Z'))
      .then([expect.objectContaining({ type: 'DataUsed' })]);
    spec
      .given([emailCollected, again])
      .when(use(campaigns, 'marketing.email', '2027-06-01T00:00:00.000Z'))
      .then([expect.objectContaining({ type: 'DataUsed' })]);
  });

  it('reads a collection that records no retention per purpose (as none did before schema version 2) as keeping every purpose until its one retainUntil', () => {
    const fulfilment: Actor = { id: 'shop', kind: 'service', roles: ['fulfilment'] };
    spec
      .given([legacyCollected])
      .when(use(fulfilment, 'order.fulfilment', '2031-12-31T23:59:59.999Z'))
      .then([expect.objectContaining({ type: 'DataUsed' })]);
    spec
      .given([legacyCollected])
      .when(use(fulfilment, 'order.fulfilment', '2032-01-01T00:00:00.000Z'))
      .thenDenied('retention_expired');
  });
});

describe('enforceRetention decides what no purpose may keep any more', () => {
  it('erases nothing while some purpose may still keep each category', () => {
    spec.given([emailCollected, addressCollected]).when(enforce('2026-01-30T00:00:00.000Z')).then([]);
  });

  it('erases the address, kept for fraud prevention only, once that retention ends; the email stays for marketing', () => {
    spec
      .given([emailCollected, addressCollected])
      .when(enforce(FRAUD_ENDS))
      .then([decided(['contact.address'], 'retention_expired')]);
  });

  it('erases every category whose last retention has run out, in one event', () => {
    spec
      .given([emailCollected, addressCollected])
      .when(enforce(MARKETING_ENDS))
      .then([decided(['contact.email', 'contact.address'], 'retention_expired')]);
  });

  it('erases nothing a second time: what it erased is no longer held', () => {
    spec
      .given([emailCollected, addressCollected, { id: ERASURE_ID, ...erased(['contact.address'], 'retention_expired') } as GivenEvent])
      .when(enforce(FRAUD_ENDS))
      .then([]);
  });

  it('erases nothing of a subject erased whole, nor of one who holds nothing', () => {
    const all: GivenEvent = {
      type: 'DataErased',
      data: { scope: 'all', method: 'crypto-shred', reason: 'erasure_request', categories: ['contact.email'], recipientsNotified: [] },
    };
    spec.given([emailCollected, all]).when(enforce(MARKETING_ENDS)).then([]);
    spec.given([]).when(enforce(MARKETING_ENDS)).then([]);
  });

  it('notifies the recipients that received an erased category, and only those', () => {
    const shared = (recipientId: string, category: string): GivenEvent => ({
      type: 'DataShared',
      data: { recipientId, purpose: 'fraud.prevention', categories: [category], agreement: 'dpa-1', basis: { legalBasis: 'legitimate_interests' } },
    });
    spec
      .given([emailCollected, addressCollected, shared('bureau', 'contact.address'), shared('agency', 'contact.email')])
      .when(enforce(FRAUD_ENDS))
      .then([decided(['contact.address'], 'retention_expired', ['bureau']), erasureNotice('bureau', ['contact.address'])]);
  });

  it('erases with a category of the subject’s one key every category that key holds, since that key is all that can be shredded', () => {
    const legacyAddress: GivenEvent = {
      occurredAt: COLLECTED_AT,
      type: 'DataCollected',
      data: {
        categories: ['contact.address'],
        source: 'crm',
        purposes: ['order.fulfilment'],
        legalBases: { 'order.fulfilment': 'contract' },
        notice,
        retainUntil: FRAUD_ENDS,
        values: { 'contact.address': 'gcm1.kkkk.llll' },
      },
    };
    spec
      .given([legacyCollected, legacyAddress])
      .when(enforce(FRAUD_ENDS))
      .then([decided(['contact.address', 'contact.email', 'contact.phone'], 'retention_expired')]);
  });
});

describe('erase of some categories keeps the subject', () => {
  it('erases the categories named, at the subject’s request', () => {
    spec
      .given([emailCollected, addressCollected])
      .when({ type: 'erase', categories: ['contact.address'], eventId: ERASURE_ID })
      .then([decided(['contact.address'], 'erasure_request')]);
  });

  it('erases with the categories named every one the subject’s one key holds when any of them is under it, not only when all are', () =>
    spec
      .given([legacyCollected, addressCollected])
      .when({ type: 'erase', categories: ['contact.address', 'contact.email'], eventId: ERASURE_ID })
      .then([decided(['contact.address', 'contact.email', 'contact.phone'], 'erasure_request')]));

  it('refuses a category never collected, and one already erased, appending nothing', () => {
    spec
      .given([emailCollected])
      .when({ type: 'erase', categories: ['contact.address'], eventId: ERASURE_ID })
      .thenThrows('COMMAND_REFUSED', 'category_not_collected', 'cannot erase 1 of the categories given: never collected');
    spec
      .given([emailCollected, addressCollected, erased(['contact.address'], 'erasure_request') as GivenEvent])
      .when({ type: 'erase', categories: ['contact.address'], eventId: ERASURE_ID })
      .thenThrows('COMMAND_REFUSED', 'already_erased', '1 of the categories given were already erased');
  });

  it('refuses a use of the erased category as erased, and still allows the category kept', () => {
    const given = [emailCollected, addressCollected, erased(['contact.address'], 'erasure_request') as GivenEvent];
    spec
      .given(given)
      .when(use(fraudService, 'fraud.prevention', '2026-01-10T00:00:00.000Z', ['contact.address']))
      .thenDenied('erased');
    spec
      .given(given)
      .when(use(fraudService, 'fraud.prevention', '2026-01-10T00:00:00.000Z'))
      .then([expect.objectContaining({ type: 'DataUsed' })]);
  });

  it('refuses a rectification of the erased category, and takes a new collection of it under the next key', () => {
    const given = [emailCollected, addressCollected, erased(['contact.address'], 'erasure_request') as GivenEvent];
    spec
      .given(given)
      .when({ type: 'rectify', values: { 'contact.address': 'gcm1.x.y' }, sealedWith: { 'contact.address': 1 }, eventId: '00000000-0000-7000-8000-0000000000a1' })
      .thenThrows('COMMAND_REFUSED', 'category_not_collected');
    const collectAgain = (generation: number): SubjectCommand => ({
      type: 'collect',
      source: 'profile',
      purposes: ['fraud.prevention'],
      legalBases: { 'fraud.prevention': 'legitimate_interests' },
      notice,
      retainUntil: '2026-03-01T00:00:00.000Z',
      retention: { 'contact.address': { 'fraud.prevention': '2026-03-01T00:00:00.000Z' } },
      values: { 'contact.address': 'gcm1.m.n' },
      sealedWith: { 'contact.address': generation },
    });
    spec
      .given(given)
      .when(collectAgain(0))
      .thenThrows('COMMAND_REFUSED', 'key_changed', '1 of the categories given were erased since their values were sealed: seal them again under their new key');
    spec
      .given(given)
      .when(collectAgain(1))
      .then([expect.objectContaining({ type: 'DataCollected', data: expect.objectContaining({ sealedWith: { 'contact.address': 1 } }) })]);
  });

  it('erases the whole subject as before, listing every category held', () => {
    spec
      .given([emailCollected, addressCollected])
      .when({ type: 'erase', eventId: ERASURE_ID })
      .then([
        {
          id: ERASURE_ID,
          type: 'DataErased',
          data: { scope: 'all', method: 'crypto-shred', reason: 'erasure_request', categories: ['contact.email', 'contact.address'], recipientsNotified: [] },
        },
      ]);
  });
});

/** The state the events fold to, each completed as the store would hand it over. */
function fold(events: readonly GivenEvent[]) {
  let state = initialSubjectState;
  const states = [];
  for (const [i, given] of events.entries()) {
    const { id, occurredAt, ...draft } = given;
    state = evolveSubject(state, {
      ...draft,
      id: id ?? `00000000-0000-7000-8000-00000000000${i}`,
      schemaVersion: 2,
      stream: 'subject-s',
      subjectId: 's',
      occurredAt: occurredAt ?? COLLECTED_AT,
      recordedAt: occurredAt ?? COLLECTED_AT,
      actor: fraudService,
      prevHash: '0'.repeat(64),
      hash: '0'.repeat(64),
    } as never);
    states.push(state);
  }
  return states;
}

const lastOf = <T>(list: readonly T[]): T => list[list.length - 1] as T;

describe('the state a partial erasure leaves', () => {
  it('holds the erased category no more, names its erasure, moves its key a generation on, and forgets the subject key’s hold on it', () => {
    const states = fold([legacyCollected, emailCollected, { ...erased(['contact.email', 'contact.phone'], 'erasure_request'), id: ERASURE_ID } as GivenEvent]);
    expect(states[1]?.subjectKeyHolds).toEqual(['contact.email', 'contact.phone']);
    expect(states[1]?.collected.get('contact.email')).toMatchObject({ key: 0, purposes: ['order.fulfilment', 'fraud.prevention', 'marketing.email'] });
    const state = lastOf(states);
    expect([...state.collected.keys()]).toEqual([]);
    expect(state.erasedCategories).toEqual(
      new Map([
        ['contact.email', ERASURE_ID],
        ['contact.phone', ERASURE_ID],
      ]),
    );
    expect(state.keyGenerations).toEqual(
      new Map([
        ['contact.email', 1],
        ['contact.phone', 1],
      ]),
    );
    expect(state.subjectKeyHolds).toEqual([]);
    expect(state.erased).toBeUndefined();
  });

  it('keeps the subject key’s hold on the categories it holds when another category, under a key of its own, is erased', () => {
    const state = lastOf(fold([legacyCollected, addressCollected, { ...erased(['contact.address'], 'retention_expired'), id: ERASURE_ID } as GivenEvent]));
    expect(state.subjectKeyHolds).toEqual(['contact.email', 'contact.phone']);
    expect([...state.collected.keys()]).toEqual(['contact.email', 'contact.phone']);
  });
});

describe('the subject key’s holds', () => {
  it('reads values an upcast version 1 event marks `subject-key` as under the subject’s one key', () => {
    const upcast = { ...legacyCollected, data: { ...legacyCollected.data, sealedWith: 'subject-key' } } as GivenEvent;
    const state = lastOf(fold([upcast]));
    expect(state.subjectKeyHolds).toEqual(['contact.email', 'contact.phone']);
    expect(state.collected.get('contact.email')?.key).toBe('subject');
  });

  it('names each category once, however often it is collected or rectified under that key', () => {
    const rectified: GivenEvent = { type: 'DataRectified', data: { categories: ['contact.email'], values: { 'contact.email': 'gcm1.mmmm.nnnn' } } };
    const states = fold([legacyCollected, legacyCollected, rectified]);
    expect(states[1]?.subjectKeyHolds).toEqual(['contact.email', 'contact.phone']);
    expect(lastOf(states).subjectKeyHolds).toEqual(['contact.email', 'contact.phone']);
    expect(lastOf(states).collected.get('contact.email')).toMatchObject({ sealed: 'gcm1.mmmm.nnnn', key: 'subject' });
  });
});

describe('the key of a value', () => {
  it('is the category’s generation in force when a collection under keys per category does not name it', () => {
    const again = { ...addressCollected, data: { ...addressCollected.data, sealedWith: {} } } as GivenEvent;
    const state = lastOf(fold([addressCollected, { ...erased(['contact.address'], 'erasure_request'), id: ERASURE_ID } as GivenEvent, again]));
    expect(state.collected.get('contact.address')?.key).toBe(1);
  });

  it('stays the value held before for a category a rectification names without a new value', () => {
    const rectified: GivenEvent = { type: 'DataRectified', data: { categories: ['contact.address'], values: {}, sealedWith: { 'contact.address': 0 } } };
    const state = lastOf(fold([addressCollected, rectified]));
    expect(state.collected.get('contact.address')).toMatchObject({ sealed: 'gcm1.cccc.dddd', key: 0 });
  });
});
