import { describe, expect, it } from '@jest/globals';
import type { CustodianEvent, EventData, EventType } from '../events';
import { countCopiedItems } from '../test-support';
import { evolveSubject, initialSubjectState, type ShareFact, type SubjectState } from './subject-state';

const notice = { id: 'privacy-notice', version: 'v3' };

/** An event as the stream holds it; only id, type, data and occurredAt matter to the fold. */
function recorded<T extends EventType>(id: string, type: T, data: EventData<T>, occurredAt = '2026-01-01T00:00:00.000Z'): CustodianEvent {
  return {
    id,
    type,
    data,
    schemaVersion: 1,
    stream: 'subject-s-1',
    subjectId: 's-1',
    occurredAt,
    recordedAt: occurredAt,
    actor: { id: 'spec', kind: 'service', roles: [] },
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  } as CustodianEvent;
}
const fold = (events: readonly CustodianEvent[], from: SubjectState = initialSubjectState) => events.reduce(evolveSubject, from);

const collected = recorded(
  'c-1',
  'DataCollected',
  {
    categories: ['contact.email', 'contact.phone'],
    source: 'checkout',
    purposes: ['order.fulfilment'],
    legalBases: { 'order.fulfilment': 'contract' },
    notice,
    retainUntil: '2032-01-01T00:00:00.000Z',
    values: { 'contact.email': 'sealed-email', 'contact.phone': 'sealed-phone' },
  },
  '2026-01-01T10:00:00.000Z',
);
const shared = (id: string, recipientId: string, purpose: string, categories: string[]) =>
  recorded(id, 'DataShared', { recipientId, purpose, categories, agreement: 'dpa-1', basis: { legalBasis: 'contract' } });

describe('evolveSubject', () => {
  it('holds each category collected with its event, time, source, purposes, retention and sealed value', () => {
    const state = fold([collected]);
    expect(state.collected.get('contact.email')).toEqual({
      eventId: 'c-1',
      collectedAt: '2026-01-01T10:00:00.000Z',
      source: 'checkout',
      purposes: ['order.fulfilment'],
      retainUntil: '2032-01-01T00:00:00.000Z',
      retention: { 'order.fulfilment': '2032-01-01T00:00:00.000Z' },
      sealed: 'sealed-email',
      key: 'subject',
    });
    expect(state.collected.get('contact.phone')).toMatchObject({ eventId: 'c-1', sealed: 'sealed-phone' });
    expect(initialSubjectState.collected.size).toBe(0);
  });

  it('holds a category collected without a sealed value as held with none, as an erased one is', () => {
    const partial = recorded('c-3', 'DataCollected', {
      categories: ['contact.email', 'contact.phone'],
      source: 'import',
      purposes: ['order.fulfilment'],
      legalBases: { 'order.fulfilment': 'contract' },
      notice,
      retainUntil: '2032-01-01T00:00:00.000Z',
      values: { 'contact.email': 'sealed-email' },
    });
    const state = fold([partial]);
    expect(state.collected.get('contact.email')?.sealed).toBe('sealed-email');
    expect(state.collected.get('contact.phone')).toMatchObject({ eventId: 'c-3', sealed: '' });
  });

  it('takes a later collection of a category as the one held, leaving the others', () => {
    const again = recorded('c-2', 'DataCollected', {
      categories: ['contact.email'],
      source: 'support',
      purposes: ['marketing.email'],
      legalBases: { 'marketing.email': 'consent' },
      notice,
      retainUntil: '2034-01-01T00:00:00.000Z',
      values: { 'contact.email': 'sealed-email-2' },
    });
    const state = fold([collected, again]);
    expect(state.collected.get('contact.email')).toMatchObject({ eventId: 'c-2', source: 'support', retainUntil: '2034-01-01T00:00:00.000Z', sealed: 'sealed-email-2' });
    expect(state.collected.get('contact.phone')).toMatchObject({ eventId: 'c-1', sealed: 'sealed-phone' });
  });

  it('rectifies the value and the event of a held category, keeping when, where from and how long it is held', () => {
    const rectified = recorded(
      'r-1',
      'DataRectified',
      { categories: ['contact.email', 'contact.address'], values: { 'contact.email': 'sealed-fixed' } },
      '2026-03-01T00:00:00.000Z',
    );
    const state = fold([collected, rectified]);
    expect(state.collected.get('contact.email')).toEqual({
      eventId: 'r-1',
      collectedAt: '2026-01-01T10:00:00.000Z',
      source: 'checkout',
      purposes: ['order.fulfilment'],
      retainUntil: '2032-01-01T00:00:00.000Z',
      retention: { 'order.fulfilment': '2032-01-01T00:00:00.000Z' },
      sealed: 'sealed-fixed',
      key: 'subject',
    });
    expect(state.collected.has('contact.address')).toBe(false);
    const withoutValue = recorded('r-2', 'DataRectified', { categories: ['contact.phone'], values: {} });
    expect(fold([collected, withoutValue]).collected.get('contact.phone')).toMatchObject({ eventId: 'r-2', sealed: 'sealed-phone' });
  });

  it('holds a consent as granted, then withdrawn, keeping the grant and the notice', () => {
    const granted = recorded(
      'g-1',
      'ConsentGranted',
      { purpose: 'marketing.email', notice, method: 'checkbox', expiresAt: '2027-01-01T00:00:00.000Z' },
      '2026-02-01T00:00:00.000Z',
    );
    const withdrawn = recorded('w-1', 'ConsentWithdrawn', { purpose: 'marketing.email' }, '2026-04-01T00:00:00.000Z');
    expect(fold([granted]).consents.get('marketing.email')).toEqual({
      status: 'granted',
      eventId: 'g-1',
      grantEventId: 'g-1',
      notice,
      since: '2026-02-01T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(fold([granted, withdrawn]).consents.get('marketing.email')).toEqual({
      status: 'withdrawn',
      eventId: 'w-1',
      grantEventId: 'g-1',
      notice,
      since: '2026-04-01T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    const before = fold([collected]);
    expect(evolveSubject(before, withdrawn)).toBe(before);
  });

  it('keeps every objection, a restriction until it is lifted, and an erasure request', () => {
    const state = fold([
      recorded('o-1', 'ObjectionRaised', { purposes: ['fraud.prevention'] }),
      recorded('o-2', 'ObjectionRaised', {}),
      recorded('x-1', 'ProcessingRestricted', {}),
      recorded('q-1', 'ErasureRequested', {}),
    ]);
    expect(state.objections).toEqual([
      { eventId: 'o-1', purposes: ['fraud.prevention'] },
      { eventId: 'o-2', purposes: undefined },
    ]);
    expect(state.restriction).toEqual({ eventId: 'x-1' });
    expect(state.erasureRequested).toEqual({ eventId: 'q-1' });
    expect(fold([recorded('l-1', 'RestrictionLifted', {})], state).restriction).toBeUndefined();
  });

  it('gathers the shares by recipient, each event, category and purpose once, and their revocation', () => {
    const state = fold([
      shared('s-1', 'agency', 'marketing.email', ['contact.email']),
      shared('s-2', 'agency', 'marketing.email', ['contact.email', 'contact.phone']),
      shared('s-3', 'agency', 'order.fulfilment', ['contact.phone']),
      shared('s-4', 'carrier', 'order.fulfilment', ['contact.phone']),
    ]);
    expect(state.shares.get('agency')).toEqual({
      eventIds: ['s-1', 's-2', 's-3'],
      categories: ['contact.email', 'contact.phone'],
      purposes: ['marketing.email', 'order.fulfilment'],
    });
    expect(state.shares.get('carrier')).toEqual({ eventIds: ['s-4'], categories: ['contact.phone'], purposes: ['order.fulfilment'] });
    const revoked = fold([recorded('v-1', 'ShareRevoked', { recipientId: 'agency' })], state);
    expect(revoked.shares.get('agency')).toMatchObject({ eventIds: ['s-1', 's-2', 's-3'], revokedEventId: 'v-1' });
    expect(revoked.shares.get('carrier')?.revokedEventId).toBeUndefined();
    expect(evolveSubject(state, recorded('v-2', 'ShareRevoked', { recipientId: 'nobody' }))).toBe(state);
  });

  it('on erasure shreds every sealed value but keeps what was held, and records each recipient’s confirmation', () => {
    const erased = fold([collected, recorded('e-1', 'DataErased', { scope: 'all', method: 'crypto-shred', recipientsNotified: ['agency'] })]);
    expect(erased.erased).toEqual({ eventId: 'e-1' });
    expect(erased.collected.get('contact.email')).toEqual({ ...fold([collected]).collected.get('contact.email'), sealed: '' });
    expect(erased.collected.get('contact.phone')?.sealed).toBe('');
    const confirmed = fold([recorded('k-1', 'RecipientErasureConfirmed', { recipientId: 'agency', erasureEventId: 'e-1' })], erased);
    expect([...confirmed.erasureConfirmations]).toEqual([['agency', 'k-1']]);
  });

  it('opens an access request at its time and closes the one fulfilled only', () => {
    const digest = 'a'.repeat(64);
    const open = fold([
      recorded('a-1', 'AccessRequestReceived', { right: 'access' }, '2026-05-01T00:00:00.000Z'),
      recorded('a-2', 'AccessRequestReceived', { right: 'portability' }, '2026-05-02T00:00:00.000Z'),
    ]);
    expect([...open.openRequests]).toEqual([
      ['a-1', { right: 'access', receivedAt: '2026-05-01T00:00:00.000Z', dueBy: '2026-06-01T23:59:59.999Z' }],
      ['a-2', { right: 'portability', receivedAt: '2026-05-02T00:00:00.000Z', dueBy: '2026-06-02T23:59:59.999Z' }],
    ]);
    const fulfilled = fold([recorded('f-1', 'AccessRequestFulfilled', { requestEventId: 'a-1', format: 'application/json', digest })], open);
    expect([...fulfilled.openRequests.keys()]).toEqual(['a-2']);
    expect([...open.openRequests.keys()]).toEqual(['a-1', 'a-2']);
  });

  it('leaves the state as it is for an event that does not change it', () => {
    const state = fold([collected]);
    const denied = recorded('d-1', 'UseDenied', { operation: 'use', purpose: 'order.fulfilment', categories: ['contact.email'], reason: 'role_not_allowed', detail: 'no' });
    expect(evolveSubject(state, denied)).toBe(state);
  });

  it('never changes the state it is given', () => {
    const state = fold([collected, shared('s-1', 'agency', 'order.fulfilment', ['contact.email']), recorded('a-1', 'AccessRequestReceived', { right: 'access' })]);
    fold(
      [
        recorded('r-1', 'DataRectified', { categories: ['contact.email'], values: { 'contact.email': 'x' } }),
        shared('s-2', 'agency', 'order.fulfilment', ['contact.phone']),
        recorded('f-1', 'AccessRequestFulfilled', { requestEventId: 'a-1', format: 'application/json', digest: 'a'.repeat(64) }),
        recorded('e-1', 'DataErased', { scope: 'all', method: 'crypto-shred', recipientsNotified: [] }),
      ],
      state,
    );
    expect(state.collected.get('contact.email')).toMatchObject({ eventId: 'c-1', sealed: 'sealed-email' });
    expect(state.shares.get('agency')?.eventIds).toEqual(['s-1']);
    expect(state.openRequests.has('a-1')).toBe(true);
    expect(state.erased).toBeUndefined();
  });
});

describe('evolveSubject, privacy signals and lifted objections', () => {
  const source = { kind: 'dom' as const };
  const signal = (id: string, purposes: string[]) => recorded(id, 'PrivacySignalApplied', { signal: 'gpc', source, purposes });
  const grant = (id: string, purpose: string, lifts: { overridesSignal?: string; overridesObjection?: string } = {}) =>
    recorded(id, 'ConsentGranted', { purpose, notice, method: 'web-form', ...lifts });

  it('holds each purpose a signal opted out of with the signal, a later signal taking over the ones it names', () => {
    const state = fold([signal('g-1', ['ads.retargeting', 'partners.sale']), signal('g-2', ['ads.retargeting'])]);
    expect([...state.optOuts]).toEqual([
      ['ads.retargeting', { eventId: 'g-2', signal: 'gpc' }],
      ['partners.sale', { eventId: 'g-1', signal: 'gpc' }],
    ]);
    expect(initialSubjectState.optOuts.size).toBe(0);
  });

  it('lets a grant that names the signal lift it for its own purpose only; a grant that names none lifts nothing', () => {
    const opted = fold([signal('g-1', ['ads.retargeting', 'partners.sale'])]);
    expect([...fold([grant('c-1', 'ads.retargeting')], opted).optOuts.keys()]).toEqual(['ads.retargeting', 'partners.sale']);
    const lifted = fold([grant('c-2', 'ads.retargeting', { overridesSignal: 'g-1' })], opted);
    expect([...lifted.optOuts.keys()]).toEqual(['partners.sale']);
    expect(lifted.consents.get('ads.retargeting')).toMatchObject({ status: 'granted', eventId: 'c-2' });
    // The state before is untouched: the fold is pure.
    expect([...opted.optOuts.keys()]).toEqual(['ads.retargeting', 'partners.sale']);
  });

  it('records the objection a grant lifts, per purpose, the latest one winning', () => {
    const state = fold([
      recorded('o-1', 'ObjectionRaised', {}),
      grant('c-1', 'marketing.email', { overridesObjection: 'o-1' }),
      recorded('o-2', 'ObjectionRaised', { purposes: ['marketing.email'] }),
      grant('c-2', 'marketing.email', { overridesObjection: 'o-2' }),
    ]);
    expect([...state.objectionOverrides]).toEqual([['marketing.email', 'o-2']]);
    expect(state.objections.map((o) => o.eventId)).toEqual(['o-1', 'o-2']);
    expect(fold([grant('c-3', 'marketing.email')]).objectionOverrides.size).toBe(0);
  });
});

describe('evolveSubject at scale', () => {
  it('folds a stream of shares to one recipient in linear work, each earlier state keeping its event ids', () => {
    const shares = (count: number) => Array.from({ length: count }, (_, i) => shared(`s-${i}`, 'agency', 'marketing.email', ['contact.email']));
    const walked = (count: number) => {
      const history = shares(count);
      return countCopiedItems(() => expect(fold(history).shares.get('agency')?.eventIds).toHaveLength(count));
    };
    // A copy of the share's event ids per share walks n²/2 ids: four times the shares, sixteen times the work.
    expect(walked(4_000)).toBeLessThan(5 * walked(1_000));

    const one = fold(shares(1));
    const two = fold([shared('s-1', 'agency', 'marketing.email', ['contact.email'])], one);
    const revoked = fold([recorded('v-1', 'ShareRevoked', { recipientId: 'agency' })], two);
    const branch = fold([shared('s-9', 'agency', 'order.fulfilment', ['contact.phone'])], one);
    expect(one.shares.get('agency')?.eventIds).toEqual(['s-0']);
    expect(two.shares.get('agency')?.eventIds).toEqual(['s-0', 's-1']);
    expect(revoked.shares.get('agency')).toEqual({ eventIds: ['s-0', 's-1'], categories: ['contact.email'], purposes: ['marketing.email'], revokedEventId: 'v-1' });
    expect(branch.shares.get('agency')?.eventIds).toEqual(['s-0', 's-9']);
    const restored = JSON.parse(JSON.stringify({ ...two.shares.get('agency') })) as ShareFact;
    const afterRestore = evolveSubject({ ...initialSubjectState, shares: new Map([['agency', restored]]) }, shared('s-2', 'agency', 'marketing.email', ['contact.email']));
    expect(afterRestore.shares.get('agency')?.eventIds).toEqual(['s-0', 's-1', 's-2']);
  });
});
