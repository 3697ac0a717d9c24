import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH } from '../crypto';
import { events, type CustodianEvent, type EventData, type EventType } from '../events';
import { evolveOpenRequests, type OpenRequests } from './open-requests';

function recorded<T extends EventType>(id: string, type: T, data: EventData<T>, occurredAt = '2026-03-05T09:30:00.000Z'): CustodianEvent {
  const draft = { type, data } as Parameters<typeof events.envelope>[0];
  const event = events.envelope(draft, { stream: 'subject-s-1', subjectId: 's-1', actor: { id: 'dpo', kind: 'employee', roles: ['privacy'] }, now: new Date(occurredAt), id });
  return { ...event, prevHash: GENESIS_HASH, hash: GENESIS_HASH } as CustodianEvent;
}

const given = (history: readonly CustodianEvent[], from: OpenRequests = new Map()) => history.reduce(evolveOpenRequests, from);
const digest = 'a'.repeat(64);
const A = '00000000-0000-7000-8000-0000000000a1';
const E = '00000000-0000-7000-8000-0000000000e1';

describe('open requests', () => {
  it('opens each request with the deadline it carries', () => {
    const open = given([
      recorded(A, 'AccessRequestReceived', { right: 'portability', dueBy: '2026-04-05T23:59:59.999Z' }),
      recorded(E, 'ErasureRequested', { dueBy: '2026-04-06T23:59:59.999Z' }, '2026-03-06T08:00:00.000Z'),
    ]);
    expect([...open]).toEqual([
      [A, { right: 'portability', receivedAt: '2026-03-05T09:30:00.000Z', dueBy: '2026-04-05T23:59:59.999Z' }],
      [E, { right: 'erasure', receivedAt: '2026-03-06T08:00:00.000Z', dueBy: '2026-04-06T23:59:59.999Z' }],
    ]);
  });

  it('reads a request recorded before requests carried a deadline as due one calendar month after it occurred', () => {
    const open = given([recorded(A, 'AccessRequestReceived', { right: 'access' }, '2026-01-31T10:00:00.000Z'), recorded(E, 'ErasureRequested', {}, '2026-03-31T10:00:00.000Z')]);
    expect(open.get(A)?.dueBy).toBe('2026-02-28T23:59:59.999Z');
    expect(open.get(E)?.dueBy).toBe('2026-04-30T23:59:59.999Z');
  });

  it('closes an access request with the export that names it, and every erasure request with the erasure', () => {
    const open = given([
      recorded(A, 'AccessRequestReceived', { right: 'access' }),
      recorded('00000000-0000-7000-8000-0000000000a2', 'AccessRequestReceived', { right: 'access' }),
      recorded(E, 'ErasureRequested', {}),
      recorded('00000000-0000-7000-8000-0000000000e2', 'ErasureRequested', {}),
    ]);
    const fulfilled = given([recorded('00000000-0000-7000-8000-0000000000f1', 'AccessRequestFulfilled', { requestEventId: A, format: 'application/json', digest })], open);
    expect([...fulfilled.keys()]).toEqual(['00000000-0000-7000-8000-0000000000a2', E, '00000000-0000-7000-8000-0000000000e2']);
    const erased = given([recorded('00000000-0000-7000-8000-0000000000d1', 'DataErased', { scope: 'all', method: 'crypto-shred', recipientsNotified: [] })], fulfilled);
    expect([...erased.keys()]).toEqual(['00000000-0000-7000-8000-0000000000a2']);
  });

  it('moves the deadline of an extended request, keeping the statutory one and the reason', () => {
    const open = given([recorded(E, 'ErasureRequested', { dueBy: '2026-04-05T23:59:59.999Z' })]);
    const extended = given(
      [recorded('00000000-0000-7000-8000-0000000000b1', 'RequestDeadlineExtended', { requestEventId: E, until: '2026-06-05T23:59:59.999Z', reason: 'complexity' })],
      open,
    );
    expect(extended.get(E)).toEqual({
      right: 'erasure',
      receivedAt: '2026-03-05T09:30:00.000Z',
      dueBy: '2026-06-05T23:59:59.999Z',
      extension: { eventId: '00000000-0000-7000-8000-0000000000b1', reason: 'complexity', statutoryDueBy: '2026-04-05T23:59:59.999Z' },
    });
    expect(open.get(E)?.dueBy).toBe('2026-04-05T23:59:59.999Z');
  });

  it('gives back the same map for an event that changes no request', () => {
    const open = given([recorded(A, 'AccessRequestReceived', { right: 'access' })]);
    expect(evolveOpenRequests(open, recorded(E, 'RestrictionLifted', {}))).toBe(open);
    expect(evolveOpenRequests(open, recorded(E, 'AccessRequestFulfilled', { requestEventId: E, format: 'application/json', digest }))).toBe(open);
    expect(evolveOpenRequests(open, recorded(E, 'RequestDeadlineExtended', { requestEventId: E, until: '2026-06-05T23:59:59.999Z', reason: 'complexity' }))).toBe(open);
    expect(evolveOpenRequests(open, recorded(E, 'DataErased', { scope: 'all', method: 'crypto-shred', recipientsNotified: [] }))).toBe(open);
  });
});
