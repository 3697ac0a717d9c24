import { describe, expect, it } from '@jest/globals';
import type { EventDraft } from '../decider';
import { events, subjectStream, type CustodianEvent } from '../events';
import { consentProjection, consentStateAt } from './consent-state';

const notice = { id: 'privacy-notice', version: 'v3' };
let minute = 0;
const event = (id: string, draft: EventDraft): CustodianEvent =>
  events.envelope(draft, {
    stream: subjectStream('ann'),
    subjectId: 'ann',
    actor: { id: 'spec', kind: 'service', roles: [] },
    now: new Date(Date.UTC(2026, 0, 1, 0, minute++)),
    id,
  }) as CustodianEvent;
const fold = (...history: CustodianEvent[]) => history.reduce(consentProjection.evolve, consentProjection.initial('ann'));
const signal = event('g-1', { type: 'PrivacySignalApplied', data: { signal: 'gpc', source: { kind: 'http-header' }, purposes: ['ads.retargeting', 'partners.sale'] } });
const granted = event('c-1', { type: 'ConsentGranted', data: { purpose: 'ads.retargeting', notice, method: 'checkbox' } });

describe('the consent projection and privacy signals', () => {
  it('shows each purpose a signal opted out of as opted-out by gpc, keeping the notice of a consent given before', () => {
    const state = fold(granted, signal);
    expect(state['ads.retargeting']).toEqual({ status: 'opted-out', since: signal.occurredAt, notice, eventId: 'g-1', method: 'gpc' });
    expect(state['partners.sale']).toEqual({ status: 'opted-out', since: signal.occurredAt, notice: undefined, eventId: 'g-1', method: 'gpc' });
  });

  it('keeps a purpose opted out when the consent under it is withdrawn, and shows the grant that lifts it', () => {
    const withdrawn = fold(granted, signal, event('w-1', { type: 'ConsentWithdrawn', data: { purpose: 'ads.retargeting' } }));
    expect(withdrawn['ads.retargeting']).toMatchObject({ status: 'opted-out', eventId: 'g-1' });
    const lifted = fold(signal, event('c-2', { type: 'ConsentGranted', data: { purpose: 'ads.retargeting', notice, method: 'web-form', overridesSignal: 'g-1' } }));
    expect(lifted['ads.retargeting']).toMatchObject({ status: 'granted', eventId: 'c-2', method: 'web-form' });
    expect(lifted['partners.sale']).toMatchObject({ status: 'opted-out' });
  });

  it('never reads an opt-out as expired', () => {
    const state = fold(event('c-3', { type: 'ConsentGranted', data: { purpose: 'ads.retargeting', notice, method: 'checkbox', expiresAt: '2026-02-01T00:00:00.000Z' } }), signal);
    expect(consentStateAt(state, new Date('2027-01-01T00:00:00.000Z'))['ads.retargeting']?.status).toBe('opted-out');
  });
});
