import { describe, expect, it } from '@jest/globals';
import { CommandRefusedError, createLedger, definePolicy, InMemoryEventStore, InMemoryKeyStore, ValidationError, type Actor, type Ledger } from '..';

const policy = definePolicy({
  purposes: { 'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], retention: 'P6Y' } },
});
const dpo: Actor = { id: 'dpo-1', kind: 'employee', roles: ['privacy'] };
const self = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });
const notice = { id: 'privacy-notice', version: 'v3' };

function setUp(start = '2026-01-31T10:00:00.000Z') {
  const store = new InMemoryEventStore();
  let now = new Date(start);
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: () => now });
  const at = (time: string) => {
    now = new Date(time);
  };
  return { store, ledger, at };
}

async function customer(ledger: Ledger, subjectId: string): Promise<void> {
  await ledger.collect({
    subjectId,
    actor: { id: 'checkout', kind: 'service', roles: ['fulfilment'] },
    source: 'checkout',
    purposes: ['order.fulfilment'],
    notice,
    data: { 'contact.email': 'x@example.com' },
  });
}

async function recordCount(store: InMemoryEventStore): Promise<number> {
  let count = 0;
  for await (const _ of store.readAll()) count++;
  return count;
}

async function rejection(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('was accepted');
    },
    (error: unknown) => error,
  );
}

describe('the deadline of a request, through the ledger', () => {
  it('records a request with its deadline, one calendar month to the end of the day, and lists it open with the days left', async () => {
    const { ledger, at } = setUp();
    await customer(ledger, 's-ann');
    const requested = await ledger.requestErasure({ subjectId: 's-ann', actor: self('s-ann') });
    expect(requested.data).toEqual({ dueBy: '2026-02-28T23:59:59.999Z' });
    at('2026-02-20T08:00:00.000Z');
    expect(await ledger.openRequests()).toEqual([
      {
        subjectId: 's-ann',
        requestEventId: requested.id,
        right: 'erasure',
        receivedAt: '2026-01-31T10:00:00.000Z',
        dueBy: '2026-02-28T23:59:59.999Z',
        daysLeft: 8,
        overdue: false,
      },
    ]);
    expect(await ledger.overdueRequests()).toEqual([]);
  });

  it('lists every open request past its deadline across subjects, soonest due first, and none once answered', async () => {
    const { ledger, at } = setUp('2026-03-05T09:00:00.000Z');
    await customer(ledger, 's-ann');
    await customer(ledger, 's-bob');
    const ann = await ledger.requestErasure({ subjectId: 's-ann', actor: self('s-ann') });
    at('2026-03-04T09:00:00.000Z');
    const bob = await ledger.requestErasure({ subjectId: 's-bob', actor: self('s-bob') });
    // An access request is answered at once: it is never left open.
    await ledger.requestAccess({ subjectId: 's-bob', actor: self('s-bob') });

    const overdue = await ledger.overdueRequests({ now: new Date('2026-04-05T12:00:00.000Z') });
    expect(overdue.map((r) => [r.subjectId, r.requestEventId, r.dueBy, r.daysLeft])).toEqual([['s-bob', bob.id, '2026-04-04T23:59:59.999Z', -1]]);
    const later = await ledger.overdueRequests({ now: new Date('2026-04-06T00:00:00.000Z') });
    expect(later.map((r) => [r.subjectId, r.requestEventId, r.daysLeft])).toEqual([
      ['s-bob', bob.id, -2],
      ['s-ann', ann.id, -1],
    ]);

    at('2026-04-06T00:00:00.000Z');
    await ledger.erase({ subjectId: 's-bob', actor: dpo });
    expect((await ledger.overdueRequests()).map((r) => r.subjectId)).toEqual(['s-ann']);
  });

  it('answers as the ledger stood at a position, counting days at the moment it names', async () => {
    const { ledger, store, at } = setUp('2026-03-05T09:00:00.000Z');
    await customer(ledger, 's-ann');
    await ledger.requestErasure({ subjectId: 's-ann', actor: self('s-ann') });
    const requestedAt = BigInt((await recordCount(store)) - 1);
    at('2026-04-10T09:00:00.000Z');
    await ledger.erase({ subjectId: 's-ann', actor: dpo });
    expect(await ledger.overdueRequests()).toEqual([]);
    expect((await ledger.audit.at(requestedAt).openRequests()).map((r) => [r.subjectId, r.daysLeft])).toEqual([['s-ann', 31]]);
    expect((await ledger.audit.at(requestedAt).overdueRequests({ now: new Date('2026-04-10T00:00:00.000Z') })).map((r) => r.daysLeft)).toEqual([-5]);
  });

  it('extends a deadline once, with its reason, and no longer lists the request as overdue', async () => {
    const { ledger, at } = setUp();
    await customer(ledger, 's-ann');
    const requested = await ledger.requestErasure({ subjectId: 's-ann', actor: self('s-ann') });
    at('2026-02-27T12:00:00.000Z');
    const extended = await ledger.extendRequestDeadline({ subjectId: 's-ann', actor: dpo, requestEventId: requested.id, reason: 'complexity', note: 'three systems to search' });
    expect(extended).toMatchObject({
      type: 'RequestDeadlineExtended',
      data: { requestEventId: requested.id, until: '2026-04-30T23:59:59.999Z', reason: 'complexity', note: expect.stringMatching(/^gcm1\./) },
    });
    expect(JSON.stringify(extended)).not.toContain('three systems');
    const [open] = await ledger.overdueRequests({ now: new Date('2026-05-01T00:00:00.000Z') });
    expect(open).toMatchObject({
      dueBy: '2026-04-30T23:59:59.999Z',
      daysLeft: -1,
      extension: { eventId: extended.id, reason: 'complexity', statutoryDueBy: '2026-02-28T23:59:59.999Z' },
    });
    expect(await ledger.overdueRequests({ now: new Date('2026-03-15T00:00:00.000Z') })).toEqual([]);
    const again = await rejection(ledger.extendRequestDeadline({ subjectId: 's-ann', actor: dpo, requestEventId: requested.id, reason: 'complexity' }));
    expect(again).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'already_extended' });
  });

  it('shows the days left in the subject export', async () => {
    const { ledger, at } = setUp();
    await customer(ledger, 's-ann');
    const requested = await ledger.requestErasure({ subjectId: 's-ann', actor: self('s-ann') });
    at('2026-02-26T12:00:00.000Z');
    expect((await ledger.exportSubject('s-ann')).openRequests).toEqual([
      { requestEventId: requested.id, right: 'erasure', receivedAt: '2026-01-31T10:00:00.000Z', dueBy: '2026-02-28T23:59:59.999Z', daysLeft: 2, overdue: false },
    ]);
  });
});

describe('malformed and refused deadline commands', () => {
  async function withRequest() {
    const world = setUp();
    await customer(world.ledger, 's-ann');
    const requested = await world.ledger.requestErasure({ subjectId: 's-ann', actor: self('s-ann') });
    return { ...world, requestEventId: requested.id };
  }
  const base = (requestEventId: string) => ({ subjectId: 's-ann', actor: dpo, requestEventId, reason: 'complexity' as const });

  it.each([
    ['a request id that is no event id', { requestEventId: 'erasure-1' }, 'requestEventId'],
    ['a day that is no date', { until: '30 April' }, 'until'],
    ['a day that does not exist', { until: '2026-02-30T00:00:00Z' }, 'until'],
    ['a reason outside the list', { reason: 'holidays' }, 'reason'],
    ['an empty note', { note: '' }, 'note'],
    ['a note past 500 characters', { note: 'x'.repeat(501) }, 'note'],
    ['a field the command does not have', { days: 60 }, 'days'],
  ])('refuses %s with a ValidationError naming the field, and appends nothing', async (_case, change, field) => {
    const { ledger, store, requestEventId } = await withRequest();
    const before = await recordCount(store);
    const error = await rejection(ledger.extendRequestDeadline({ ...base(requestEventId), ...change } as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(field);
    expect(await recordCount(store)).toBe(before);
  });

  it.each([
    ['an unknown request', { requestEventId: '01930000-0000-7000-8000-0000000000ff' }, 'no_open_request'],
    ['a day past three months from receipt', { until: '2026-05-01T00:00:00Z' }, 'extension_too_long'],
    ['a day before the deadline', { until: '2026-02-20T00:00:00Z' }, 'extension_not_later'],
  ])('refuses %s with a CommandRefusedError naming why, and appends nothing', async (_case, change, reason) => {
    const { ledger, store, requestEventId } = await withRequest();
    const before = await recordCount(store);
    const error = await rejection(ledger.extendRequestDeadline({ ...base(requestEventId), ...change }));
    expect(error).toBeInstanceOf(CommandRefusedError);
    expect(error).toMatchObject({ reason });
    expect(await recordCount(store)).toBe(before);
  });

  it('refuses an extension once the deadline has passed, and appends nothing', async () => {
    const { ledger, store, requestEventId, at } = await withRequest();
    at('2026-03-01T00:00:00.000Z');
    const before = await recordCount(store);
    expect(await rejection(ledger.extendRequestDeadline(base(requestEventId)))).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'deadline_passed' });
    expect(await recordCount(store)).toBe(before);
  });

  it('refuses an extension by someone without the role', async () => {
    const { ledger, store, requestEventId } = await withRequest();
    const before = await recordCount(store);
    const error = await rejection(ledger.extendRequestDeadline({ ...base(requestEventId), actor: { id: 'agent-2', kind: 'employee', roles: ['support'] } }));
    expect(error).toMatchObject({ code: 'NOT_PERMITTED', operation: 'extendRequestDeadline' });
    expect(await recordCount(store)).toBe(before);
  });

  it.each([
    ['a now that is no date', { now: new Date('nope') }, 'now'],
    ['a now given as text', { now: '2026-04-01' }, 'now'],
    ['an option it does not have', { overdue: true }, 'overdue'],
  ])('overdueRequests refuses %s with a ValidationError naming it', async (_case, options, field) => {
    const { ledger } = await withRequest();
    const error = await rejection(ledger.overdueRequests(options as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(field);
  });
});
