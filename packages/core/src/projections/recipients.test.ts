import { describe, expect, it } from '@jest/globals';
import type { CustodianEvent, EventData, EventType } from '../events';
import { countCopiedItems } from '../test-support';
import { foldProjection } from './read-model';
import { recipientsProjection, type RecipientEntry } from './recipients';

/** An event as the log holds it; only id, type, subject, data and occurredAt matter to the fold. */
function recorded<T extends EventType>(id: string, type: T, data: EventData<T>, subjectId?: string): CustodianEvent {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id,
    type,
    data,
    schemaVersion: 1,
    stream: subjectId === undefined ? 'recipient-agency' : `subject-${subjectId}`,
    subjectId,
    occurredAt: at,
    recordedAt: at,
    actor: { id: 'spec', kind: 'service', roles: [] },
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  } as CustodianEvent;
}

const share = (n: number) =>
  recorded(
    `s-${n}`,
    'DataShared',
    { recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'], agreement: 'dpa-1', basis: { legalBasis: 'contract' } },
    `c-${n}`,
  );
const erasure = (n: number) => recorded(`e-${n}`, 'DataErased', { scope: 'all', method: 'crypto-shred', recipientsNotified: ['agency'] }, `c-${n}`);
const confirmation = (n: number) => recorded(`k-${n}`, 'RecipientErasureConfirmed', { recipientId: 'agency', erasureEventId: `e-${n}` }, `c-${n}`);

/** Items walked by whole-list operations while folding `history` into the agency's entry and reading it once. */
function walked(history: readonly CustodianEvent[]): number {
  return countCopiedItems(() => {
    const entry = foldProjection(recipientsProjection, history).get('agency') as RecipientEntry;
    expect(entry.received.length + entry.erasureNotices.length).toBeGreaterThan(0);
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('recipientsProjection', () => {
  it('folds the shares to one recipient in linear work: four times the shares walk at most five times the items, every earlier entry still reads as it did, and one it did not make goes on from its lists', () => {
    const n = 2_000;
    // A copy of `received` per share walks n²/2 items: four times the shares, sixteen times the work.
    expect(walked(range(4 * n).map(share))).toBeLessThan(5 * walked(range(n).map(share)));

    const registered = recipientsProjection.evolve(
      recipientsProjection.initial('agency'),
      recorded('r-1', 'RecipientRegistered', { recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' }),
    );
    const one = recipientsProjection.evolve(registered, share(1));
    const two = recipientsProjection.evolve(one, share(2));
    // Appending to the older entry again branches: neither the newer entry nor the older one changes.
    const other = recipientsProjection.evolve(one, share(3));
    expect(registered.received).toEqual([]);
    expect(one.received.map((r) => r.eventId)).toEqual(['s-1']);
    expect(two.received.map((r) => r.eventId)).toEqual(['s-1', 's-2']);
    expect(other.received.map((r) => r.eventId)).toEqual(['s-1', 's-3']);
    expect(JSON.parse(JSON.stringify(two))).toEqual({
      recipientId: 'agency',
      status: 'registered',
      name: 'Agency',
      agreement: 'dpa-1',
      country: 'DE',
      registeredAt: '2026-01-01T00:00:00.000Z',
      received: [
        { eventId: 's-1', subjectId: 'c-1', categories: ['contact.email'], purpose: 'marketing.email', at: '2026-01-01T00:00:00.000Z' },
        { eventId: 's-2', subjectId: 'c-2', categories: ['contact.email'], purpose: 'marketing.email', at: '2026-01-01T00:00:00.000Z' },
      ],
      erasureNotices: [],
    });

    // An entry it did not make (a row loaded from SQL) goes on from its lists as given.
    const loaded: RecipientEntry = {
      recipientId: 'agency',
      status: 'verified',
      received: [{ eventId: 's-0', subjectId: 'c-0', categories: ['contact.email'], purpose: 'marketing.email', at: '2025-12-01T00:00:00.000Z' }],
      erasureNotices: [{ subjectId: 'c-0', erasureEventId: 'e-0', confirmed: true }],
    };
    const next = recipientsProjection.evolve(loaded, share(1));
    expect(next.received.map((r) => r.eventId)).toEqual(['s-0', 's-1']);
    expect(next.erasureNotices).toEqual(loaded.erasureNotices);
    expect(loaded.received).toHaveLength(1);
    // Its registry goes on too, through shares and changes of status alike.
    const shared = recipientsProjection.evolve(next, share(2));
    expect(JSON.parse(JSON.stringify(shared))).toMatchObject({ recipientId: 'agency', status: 'verified' });
    expect(Object.keys(shared)).toEqual(['recipientId', 'status', 'received', 'erasureNotices']);
  });

  it('keeps the erasure notices and their confirmations in linear work, each confirmation covering only the notices before it', () => {
    const n = 1_000;
    const notices = (count: number) => range(count).flatMap((i) => [erasure(i), confirmation(i)]);
    // A copy of the notices per erasure, and a walk of them per confirmation, is quadratic twice over.
    expect(walked(notices(4 * n))).toBeLessThan(5 * walked(notices(n)));

    const fold = (history: readonly CustodianEvent[], from = recipientsProjection.initial('agency')) => history.reduce(recipientsProjection.evolve, from);
    const noticed = fold([erasure(1), erasure(2)]);
    const confirmed = fold([confirmation(1)], noticed);
    expect(noticed.erasureNotices.map((notice) => notice.confirmed)).toEqual([false, false]);
    expect(confirmed.erasureNotices).toEqual([
      { subjectId: 'c-1', erasureEventId: 'e-1', confirmed: true },
      { subjectId: 'c-2', erasureEventId: 'e-2', confirmed: false },
    ]);
    // A notice of the same erasure that comes after the confirmation is not covered by it.
    expect(fold([erasure(1)], confirmed).erasureNotices.map((notice) => notice.confirmed)).toEqual([true, false, false]);
  });

  it('lists an erasure of some categories as a notice, confirmed by the confirmation of that notice and by no other', () => {
    const fold = (history: readonly CustodianEvent[]) => foldProjection(recipientsProjection, history).get('agency') as RecipientEntry;
    const partly = recorded(
      'e-p',
      'DataErased',
      { scope: 'categories', method: 'crypto-shred', categories: ['contact.email'], recipientsNotified: ['agency'], reason: 'retention_expired' },
      'c-1',
    );
    const confirmed = (changeEventId: string) => recorded(`k-${changeEventId}`, 'RecipientNoticeConfirmed', { recipientId: 'agency', changeEventId }, 'c-1');
    expect(fold([share(1), partly]).erasureNotices).toEqual([{ subjectId: 'c-1', erasureEventId: 'e-p', confirmed: false }]);
    expect(fold([share(1), partly, confirmed('r-1')]).erasureNotices).toEqual([{ subjectId: 'c-1', erasureEventId: 'e-p', confirmed: false }]);
    expect(fold([share(1), partly, confirmed('e-p')]).erasureNotices).toEqual([{ subjectId: 'c-1', erasureEventId: 'e-p', confirmed: true }]);
  });
});
