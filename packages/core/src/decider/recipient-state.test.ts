import { describe, expect, it } from '@jest/globals';
import type { CustodianEvent, EventData, EventType } from '../events';
import { evolveRecipient, initialRecipientState } from './recipient-state';

function recorded<T extends EventType>(id: string, type: T, data: EventData<T>, occurredAt: string): CustodianEvent {
  return {
    id,
    type,
    data,
    schemaVersion: 1,
    stream: 'recipient-agency',
    occurredAt,
    recordedAt: occurredAt,
    actor: { id: 'spec', kind: 'service', roles: [] },
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  } as CustodianEvent;
}

const registered = recorded('r-1', 'RecipientRegistered', { recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' }, '2026-01-01T00:00:00.000Z');
const verified = recorded('r-2', 'RecipientVerified', { recipientId: 'agency' }, '2026-01-02T00:00:00.000Z');
const suspended = recorded('r-3', 'RecipientSuspended', { recipientId: 'agency', reason: 'audit failed' }, '2026-01-03T00:00:00.000Z');

describe('evolveRecipient', () => {
  it('holds the registration, the verification and a suspension with their events and times', () => {
    const state = [registered, verified, suspended].reduce(evolveRecipient, initialRecipientState);
    expect(state).toEqual({
      registered: { eventId: 'r-1', name: 'Agency', agreement: 'dpa-1', country: 'DE', at: '2026-01-01T00:00:00.000Z' },
      verified: { eventId: 'r-2', at: '2026-01-02T00:00:00.000Z' },
      suspended: { eventId: 'r-3', reason: 'audit failed', at: '2026-01-03T00:00:00.000Z' },
    });
  });

  it('lifts a suspension with a new verification', () => {
    const again = recorded('r-4', 'RecipientVerified', { recipientId: 'agency' }, '2026-02-01T00:00:00.000Z');
    const state = [registered, verified, suspended, again].reduce(evolveRecipient, initialRecipientState);
    expect(state.verified).toEqual({ eventId: 'r-4', at: '2026-02-01T00:00:00.000Z' });
    expect(state.suspended).toBeUndefined();
  });

  it('ignores events that are not about the recipient', () => {
    const state = evolveRecipient(initialRecipientState, registered);
    const other = recorded('x-1', 'RestrictionLifted', {}, '2026-01-05T00:00:00.000Z');
    expect(evolveRecipient(state, other)).toBe(state);
  });
});
