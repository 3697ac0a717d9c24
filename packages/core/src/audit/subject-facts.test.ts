import { describe, expect, it } from '@jest/globals';
import type { EventDraft } from '../decider';
import { events, subjectStream, type Actor, type CustodianEvent } from '../events';
import { createFactsFold, factsOf, type HeldFacts } from './subject-facts';

const service: Actor = { id: 'crm', kind: 'service', roles: ['privacy'] };
const sealed = 'gcm1.aaaa.bbbb';
const notice = { id: 'notice', version: 'v1' };
let n = 0;
/** An event of subject ann with a readable id, so each fact can be traced to the event that made it. */
const event = (id: string, draft: EventDraft): CustodianEvent =>
  events.envelope(draft, { stream: subjectStream('ann'), subjectId: 'ann', actor: service, now: new Date(Date.UTC(2026, 0, 1, 0, n++)), id }) as CustodianEvent;
const collected = (id: string, categories: string[], retainUntil: string) =>
  event(id, {
    type: 'DataCollected',
    data: {
      categories,
      source: 'form',
      purposes: ['marketing.email'],
      legalBases: { 'marketing.email': 'consent' },
      notice,
      retainUntil,
      values: Object.fromEntries(categories.map((c) => [c, sealed])),
    },
  });
const granted = (id: string, purpose: string, expiresAt?: string) =>
  event(id, { type: 'ConsentGranted', data: { purpose, notice, method: 'checkbox', ...(expiresAt === undefined ? {} : { expiresAt }) } });
const withdrawn = (id: string, purpose: string) => event(id, { type: 'ConsentWithdrawn', data: { purpose } });

/** Folds the events into fresh facts, as one subject's replay does. */
function fold(...history: CustodianEvent[]): HeldFacts {
  const facts = createFactsFold();
  const held = facts.empty();
  for (const e of history) facts.absorb(held, e);
  return held;
}

describe('the facts a replay holds per subject', () => {
  it('start empty: nothing collected, no consent, no objection, no restriction, no erasure', () => {
    expect(factsOf(createFactsFold().empty())).toEqual({
      collected: new Map(),
      consents: new Map(),
      objections: [],
      restriction: undefined,
      erasureRequested: undefined,
      erased: undefined,
    });
  });

  it('hold each collected category with the event that collected it and its retention, a recollection replacing only its own categories', () => {
    // Given phone collected first, then email and address together, then email again
    const held = fold(
      collected('c-1', ['contact.phone'], '2027-01-01T00:00:00.000Z'),
      collected('c-2', ['contact.email', 'contact.address'], '2028-01-01T00:00:00.000Z'),
      collected('c-3', ['contact.email'], '2029-01-01T00:00:00.000Z'),
    );
    // Then email is the third collection's, and phone and address, before and after it, are untouched
    const terms = (eventId: string, retainUntil: string, collectedAt: string) => ({ eventId, retainUntil, collectedAt, retention: { 'marketing.email': retainUntil } });
    expect([...factsOf(held).collected]).toEqual([
      ['contact.phone', terms('c-1', '2027-01-01T00:00:00.000Z', held.terms?.get('contact.phone')?.collectedAt as string)],
      ['contact.email', terms('c-3', '2029-01-01T00:00:00.000Z', held.terms?.get('contact.email')?.collectedAt as string)],
      ['contact.address', terms('c-2', '2028-01-01T00:00:00.000Z', held.terms?.get('contact.address')?.collectedAt as string)],
    ]);
    expect(held.terms?.get('contact.email')?.collectedAt).not.toBe(held.terms?.get('contact.address')?.collectedAt);
    expect(held.collected).toHaveLength(9);
  });

  it('recollecting the first category held replaces it in place, leaving the next one whole', () => {
    const held = fold(
      collected('c-1', ['contact.email'], '2027-01-01T00:00:00.000Z'),
      collected('c-2', ['contact.phone'], '2027-06-01T00:00:00.000Z'),
      collected('c-3', ['contact.email'], '2030-01-01T00:00:00.000Z'),
    );
    expect(held.collected).toEqual(['contact.email', 'c-3', '2030-01-01T00:00:00.000Z', 'contact.phone', 'c-2', '2027-06-01T00:00:00.000Z']);
  });

  it('credit a rectification to the rectifying event, keep the retention, and ignore a rectified category never collected', () => {
    // Given email (first) and phone collected, then both rectified along with a category never collected
    const held = fold(
      collected('c-1', ['contact.email', 'contact.phone'], '2027-01-01T00:00:00.000Z'),
      event('r-1', { type: 'DataRectified', data: { categories: ['contact.email', 'contact.name'], values: { 'contact.email': sealed, 'contact.name': sealed } } }),
      event('r-2', { type: 'DataRectified', data: { categories: ['contact.phone'], values: { 'contact.phone': sealed } } }),
    );
    expect(held.collected).toEqual(['contact.email', 'r-1', '2027-01-01T00:00:00.000Z', 'contact.phone', 'r-2', '2027-01-01T00:00:00.000Z']);
    expect(factsOf(held).collected.has('contact.name')).toBe(false);
  });

  it('hold a consent as granted with its grant and expiry, then as withdrawn by the withdrawal, keeping the expiry', () => {
    const held = fold(granted('g-1', 'marketing.email', '2027-03-01T00:00:00.000Z'), granted('g-2', 'marketing.sms'), withdrawn('w-1', 'marketing.email'));
    expect([...factsOf(held).consents]).toEqual([
      ['marketing.email', { status: 'withdrawn', eventId: 'w-1', expiresAt: '2027-03-01T00:00:00.000Z' }],
      ['marketing.sms', { status: 'granted', eventId: 'g-2', expiresAt: undefined }],
    ]);
    expect(held.consents).toEqual(['marketing.email', 'withdrawn', 'w-1', '2027-03-01T00:00:00.000Z', 'marketing.sms', 'granted', 'g-2', undefined]);
  });

  it('hold a consent granted again after its withdrawal as granted by the new grant, with the new expiry, the next purpose untouched', () => {
    const held = fold(
      granted('g-1', 'marketing.email', '2027-03-01T00:00:00.000Z'),
      granted('g-2', 'marketing.sms', '2027-04-01T00:00:00.000Z'),
      withdrawn('w-1', 'marketing.email'),
      granted('g-3', 'marketing.email'),
    );
    expect(held.consents).toEqual(['marketing.email', 'granted', 'g-3', undefined, 'marketing.sms', 'granted', 'g-2', '2027-04-01T00:00:00.000Z']);
  });

  it('hold a later purpose granted again in its own place, the purpose before it untouched', () => {
    const held = fold(
      granted('g-1', 'marketing.email', '2027-03-01T00:00:00.000Z'),
      granted('g-2', 'marketing.sms'),
      withdrawn('w-1', 'marketing.sms'),
      granted('g-3', 'marketing.sms', '2027-05-01T00:00:00.000Z'),
    );
    expect(held.consents).toEqual(['marketing.email', 'granted', 'g-1', '2027-03-01T00:00:00.000Z', 'marketing.sms', 'granted', 'g-3', '2027-05-01T00:00:00.000Z']);
  });

  it('ignore the withdrawal of a consent never given', () => {
    const held = fold(granted('g-1', 'marketing.email'), withdrawn('w-1', 'marketing.sms'));
    expect(held.consents).toEqual(['marketing.email', 'granted', 'g-1', undefined]);
    expect(factsOf(held).consents.has('marketing.sms')).toBe(false);
  });

  it('hold every objection in order, with its purposes, or none for an objection to every purpose', () => {
    const held = fold(event('o-1', { type: 'ObjectionRaised', data: { purposes: ['fraud.screening', 'analytics'] } }), event('o-2', { type: 'ObjectionRaised', data: {} }));
    expect(factsOf(held).objections).toEqual([
      { eventId: 'o-1', purposes: ['fraud.screening', 'analytics'] },
      { eventId: 'o-2', purposes: undefined },
    ]);
  });

  it('hold a restriction until it is lifted, and the next one by its own event', () => {
    const restricted = fold(event('x-1', { type: 'ProcessingRestricted', data: {} }));
    expect(factsOf(restricted).restriction).toEqual({ eventId: 'x-1' });
    const lifted = fold(event('x-1', { type: 'ProcessingRestricted', data: {} }), event('l-1', { type: 'RestrictionLifted', data: {} }));
    expect(factsOf(lifted).restriction).toBeUndefined();
    const again = fold(
      event('x-1', { type: 'ProcessingRestricted', data: {} }),
      event('l-1', { type: 'RestrictionLifted', data: {} }),
      event('x-2', { type: 'ProcessingRestricted', data: {} }),
    );
    expect(factsOf(again).restriction).toEqual({ eventId: 'x-2' });
  });

  it('hold an erasure request and an erasure by their events, each apart from the other', () => {
    const requested = fold(event('e-1', { type: 'ErasureRequested', data: {} }));
    expect(factsOf(requested)).toMatchObject({ erasureRequested: { eventId: 'e-1' }, erased: undefined });
    const erased = fold(event('e-2', { type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [] } }));
    expect(factsOf(erased)).toMatchObject({ erasureRequested: undefined, erased: { eventId: 'e-2' } });
  });

  it('hold each purpose by its latest collection, the category kept until the last of them, as the decider does', () => {
    const withRetention = (id: string, retention: Record<string, string>) => {
      const base = collected(id, ['contact.email'], '2026-12-31T00:00:00.000Z');
      return { ...base, data: { ...base.data, purposes: Object.keys(retention), retention: { 'contact.email': retention } } } as CustodianEvent;
    };
    const held = fold(
      withRetention('c-1', { 'marketing.email': '2028-01-01T00:00:00.000Z', 'fraud.screening': '2026-02-01T00:00:00.000Z' }),
      withRetention('c-2', { 'fraud.screening': '2026-03-01T00:00:00.000Z' }),
    );
    expect(factsOf(held).collected.get('contact.email')).toMatchObject({
      eventId: 'c-2',
      retainUntil: '2028-01-01T00:00:00.000Z',
      retention: { 'marketing.email': '2028-01-01T00:00:00.000Z', 'fraud.screening': '2026-03-01T00:00:00.000Z' },
    });
  });

  it('drop a category erased on its own, naming its erasure, until it is collected again; the other categories stay', () => {
    const erasure = event('e-1', {
      type: 'DataErased',
      data: { scope: 'categories', method: 'crypto-shred', reason: 'retention_expired', categories: ['contact.email'], recipientsNotified: [] },
    });
    const held = fold(collected('c-1', ['contact.email', 'contact.phone'], '2027-01-01T00:00:00.000Z'), erasure);
    const facts = factsOf(held);
    expect([...facts.collected.keys()]).toEqual(['contact.phone']);
    expect(facts.erasedCategories).toEqual(new Map([['contact.email', 'e-1']]));
    expect(facts.erased).toBeUndefined();
    expect(held.terms?.has('contact.email')).toBe(false);
    const again = fold(collected('c-1', ['contact.email', 'contact.phone'], '2027-01-01T00:00:00.000Z'), erasure, collected('c-2', ['contact.email'], '2028-01-01T00:00:00.000Z'));
    expect(factsOf(again).erasedCategories).toBeUndefined();
    expect(factsOf(again).collected.get('contact.email')).toMatchObject({ eventId: 'c-2', retainUntil: '2028-01-01T00:00:00.000Z' });
  });

  it('leave the facts as they were for events the rules do not read', () => {
    const collection = collected('c-1', ['contact.email'], '2027-01-01T00:00:00.000Z');
    const grant = granted('g-1', 'marketing.email');
    const before = fold(collection, grant);
    const after = fold(
      collection,
      grant,
      event('u-1', {
        type: 'DataUsed',
        data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'spring', basis: { legalBasis: 'consent', consentEventId: 'g-1' } },
      }),
      event('a-1', { type: 'AccessRequestReceived', data: { right: 'access' } }),
    );
    expect(after).toEqual(before);
  });

  it('hand out copies: facts taken earlier do not change as the replay goes on', () => {
    const facts = createFactsFold();
    const held = facts.empty();
    facts.absorb(held, event('o-1', { type: 'ObjectionRaised', data: {} }));
    const earlier = factsOf(held);
    facts.absorb(held, event('o-2', { type: 'ObjectionRaised', data: {} }));
    facts.absorb(held, collected('c-1', ['contact.email'], '2027-01-01T00:00:00.000Z'));
    expect(earlier.objections).toEqual([{ eventId: 'o-1', purposes: undefined }]);
    expect(earlier.collected.size).toBe(0);
    expect(factsOf(held).objections.map((o) => o.eventId)).toEqual(['o-1', 'o-2']);
  });

  it('hold the purposes a signal opted out of until a grant lifts one, and the objection a grant lifted, handing out copies', () => {
    const signal = (id: string, purposes: string[]) => event(id, { type: 'PrivacySignalApplied', data: { signal: 'gpc', source: { kind: 'dom' }, purposes } });
    const lifting = (id: string, purpose: string, lifts: { overridesSignal?: string; overridesObjection?: string }) =>
      event(id, { type: 'ConsentGranted', data: { purpose, notice, method: 'web-form', ...lifts } });
    expect(factsOf(fold(lifting('c-0', 'ads.retargeting', { overridesSignal: 'g-0' })))).not.toHaveProperty('optOuts');
    const held = fold(
      signal('g-1', ['ads.retargeting', 'partners.sale']),
      lifting('c-1', 'ads.retargeting', { overridesSignal: 'g-1' }),
      event('o-1', { type: 'ObjectionRaised', data: {} }),
      lifting('c-2', 'marketing.email', { overridesObjection: 'o-1' }),
      granted('c-3', 'partners.sale'),
    );
    const facts = factsOf(held);
    expect([...(facts.optOuts ?? [])]).toEqual([['partners.sale', { eventId: 'g-1', signal: 'gpc' }]]);
    expect([...(facts.objectionOverrides ?? [])]).toEqual([['marketing.email', 'o-1']]);
    createFactsFold().absorb(held, signal('g-2', ['ads.retargeting']));
    expect(facts.optOuts?.size).toBe(1);
    expect(factsOf(held).optOuts?.get('ads.retargeting')).toEqual({ eventId: 'g-2', signal: 'gpc' });
  });
});
