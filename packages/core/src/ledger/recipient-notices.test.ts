import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { InMemoryKeyStore } from '../crypto';
import { CommandRefusedError } from '../decider';
import { ValidationError } from '../errors';
import type { Actor } from '../events';
import { definePolicy } from '../policy';
import { createInMemorySnapshotStore } from '../snapshots';
import { InMemoryEventStore, type EventToAppend, type ExpectedRevision } from '../store';
import { createLedger } from './create-ledger';
import { NotPermittedError } from './errors';

// Art. 19 through the ledger: a correction, a restriction or a withdrawal after a share
// records, in the same append as the change, a notice owed to each recipient holding a
// copy; the recipient (or the privacy team) confirms it; the inventory and the subject's
// export show what is still owed.

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], sharing: true, retention: 'P6Y' },
  },
});
const privacy: Actor = { id: 'privacy-desk', kind: 'employee', roles: ['privacy', 'marketing', 'fulfilment'] };
const ann: Actor = { id: 'ann', kind: 'subject', roles: [] };
const agencyActor: Actor = { id: 'agency', kind: 'recipient', roles: [] };
const notice = { id: 'privacy-notice', version: 'v3' };
const subjectId = 'ann';
const UNKNOWN_CHANGE = '00000000-0000-7000-8000-0000000000c9';

/** The in-memory store, keeping the event types of each append, so a test can see what landed together. */
class RecordingStore extends InMemoryEventStore {
  readonly appends: string[][] = [];
  override append(stream: string, events: EventToAppend[], expected: ExpectedRevision) {
    this.appends.push(events.map((event) => event.type));
    return super.append(stream, events, expected);
  }
}

async function recordCount(store: InMemoryEventStore): Promise<number> {
  let count = 0;
  for await (const _ of store.readAll()) count++;
  return count;
}

/** Ann, whose email went to `agency` on her marketing consent and whose address went to `carrier` under the contract. */
async function world(options: { snapshots?: boolean } = {}) {
  const store = new RecordingStore();
  const keys = new InMemoryKeyStore();
  const snapshots = options.snapshots ? { store: createInMemorySnapshotStore(), secret: randomBytes(32), every: 1 } : undefined;
  const open = () => createLedger({ store, keys, policy, ...(snapshots && { snapshots, cache: { maxEntries: 0 } }) });
  const ledger = open();
  await ledger.collect({
    subjectId,
    actor: privacy,
    source: 'checkout-form',
    purposes: ['marketing.email', 'order.fulfilment'],
    notice,
    data: { 'contact.email': 'ann@example.com', 'contact.address': '1 Main St' },
  });
  await ledger.grantConsent({ subjectId, actor: ann, purpose: 'marketing.email', notice, method: 'checkbox' });
  for (const recipientId of ['agency', 'carrier']) {
    await ledger.registerRecipient({ recipientId, actor: privacy, name: recipientId, agreement: `dpa-${recipientId}`, country: 'DE' });
    await ledger.verifyRecipient({ recipientId, actor: privacy });
  }
  await ledger.share({ subjectId, actor: privacy, recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'] });
  await ledger.share({ subjectId, actor: privacy, recipientId: 'carrier', purpose: 'order.fulfilment', categories: ['contact.address'] });
  store.appends.length = 0;
  return { store, ledger, open };
}

describe('notices owed to recipients', () => {
  it('a correction owes one to each recipient holding a corrected category, in the same append, and the inventory lists it as pending', async () => {
    const { store, ledger } = await world();
    const change = await ledger.rectify({ subjectId, actor: privacy, data: { 'contact.email': 'ann.new@example.com' } });
    expect(change.type).toBe('DataRectified');
    expect(store.appends).toEqual([['DataRectified', 'RecipientNoticeOwed']]);
    const inventory = await ledger.inventory(subjectId);
    expect(inventory.recipientNotices).toEqual([
      {
        recipientId: 'agency',
        reason: 'rectification',
        changeEventId: change.id,
        noticeEventId: expect.any(String),
        categories: ['contact.email'],
        purpose: undefined,
        owedAt: change.occurredAt,
        status: 'pending',
      },
    ]);
  });

  it('a restriction owes one to every recipient, for what each received', async () => {
    const { store, ledger } = await world();
    const change = await ledger.restrict({ subjectId, actor: ann });
    expect(store.appends).toEqual([['ProcessingRestricted', 'RecipientNoticeOwed', 'RecipientNoticeOwed']]);
    expect(
      (await ledger.inventory(subjectId)).recipientNotices.map(({ recipientId, reason, changeEventId, categories }) => ({ recipientId, reason, changeEventId, categories })),
    ).toEqual([
      { recipientId: 'agency', reason: 'restriction', changeEventId: change.id, categories: ['contact.email'] },
      { recipientId: 'carrier', reason: 'restriction', changeEventId: change.id, categories: ['contact.address'] },
    ]);
  });

  it('a withdrawal owes one only to the recipient sent data on that consent', async () => {
    const { store, ledger } = await world();
    const change = await ledger.withdrawConsent({ subjectId, actor: ann, purpose: 'marketing.email' });
    expect(store.appends).toEqual([['ConsentWithdrawn', 'RecipientNoticeOwed']]);
    expect((await ledger.inventory(subjectId)).recipientNotices).toEqual([
      expect.objectContaining({ recipientId: 'agency', reason: 'consent_withdrawn', changeEventId: change.id, categories: ['contact.email'], purpose: 'marketing.email' }),
    ]);
  });

  it('the recipient itself confirms a notice owed to it; the inventory and the export then show it confirmed', async () => {
    const { ledger } = await world();
    const change = await ledger.rectify({ subjectId, actor: privacy, data: { 'contact.email': 'ann.new@example.com' } });
    const confirmed = await ledger.confirmRecipientNotice({ subjectId, actor: agencyActor, recipientId: 'agency', changeEventId: change.id });
    expect(confirmed).toMatchObject({ type: 'RecipientNoticeConfirmed', data: { recipientId: 'agency', changeEventId: change.id }, actor: agencyActor });
    expect((await ledger.inventory(subjectId)).recipientNotices).toEqual([expect.objectContaining({ status: 'confirmed', confirmedAt: confirmed.occurredAt })]);
    const exported = await ledger.exportSubject(subjectId);
    expect(exported.recipientNotices).toEqual([expect.objectContaining({ recipientId: 'agency', reason: 'rectification', status: 'confirmed' })]);
  });

  it('the privacy role confirms for a recipient; the export lists what is still owed', async () => {
    const { ledger } = await world();
    const change = await ledger.restrict({ subjectId, actor: ann });
    await ledger.confirmRecipientNotice({ subjectId, actor: privacy, recipientId: 'carrier', changeEventId: change.id });
    const exported = await ledger.exportSubject(subjectId);
    expect(exported.recipientNotices.map(({ recipientId, status }) => ({ recipientId, status }))).toEqual([
      { recipientId: 'agency', status: 'pending' },
      { recipientId: 'carrier', status: 'confirmed' },
    ]);
  });

  it('a recipient may not confirm a notice owed to another, and nothing is appended', async () => {
    const { store, ledger } = await world();
    const change = await ledger.restrict({ subjectId, actor: ann });
    const before = await recordCount(store);
    const error = await ledger.confirmRecipientNotice({ subjectId, actor: agencyActor, recipientId: 'carrier', changeEventId: change.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotPermittedError);
    expect(error).toMatchObject({ code: 'NOT_PERMITTED', operation: 'confirmRecipientNotice', reason: 'role_missing' });
    expect(await recordCount(store)).toBe(before);
  });

  it('an erasure of some categories owes one to each recipient holding a copy of them; the recipient’s erasure confirmation confirms it', async () => {
    const { store, ledger } = await world();
    const erasure = await ledger.erase({ subjectId, actor: privacy, categories: ['contact.address'] });
    expect(store.appends).toEqual([['DataErased', 'RecipientNoticeOwed']]);
    const owed = { recipientId: 'carrier', reason: 'erasure', changeEventId: erasure.id, categories: ['contact.address'], status: 'pending' };
    expect((await ledger.inventory(subjectId)).recipientNotices).toEqual([expect.objectContaining(owed)]);
    const carrier: Actor = { id: 'carrier', kind: 'recipient', roles: [] };
    const refused = await ledger.confirmRecipientErasure({ subjectId, actor: agencyActor, recipientId: 'agency' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'not_erased' });
    const confirmed = await ledger.confirmRecipientErasure({ subjectId, actor: carrier, recipientId: 'carrier' });
    expect(confirmed).toMatchObject({ type: 'RecipientNoticeConfirmed', data: { recipientId: 'carrier', changeEventId: erasure.id } });
    expect((await ledger.exportSubject(subjectId)).recipientNotices).toEqual([expect.objectContaining({ ...owed, status: 'confirmed' })]);
    const again = ledger.confirmRecipientErasure({ subjectId, actor: carrier, recipientId: 'carrier', erasureEventId: erasure.id });
    await expect(again).rejects.toMatchObject({ code: 'COMMAND_REFUSED', reason: 'no_notice_owed' });
  });

  it('keeps its notices through a snapshot: a ledger reading the stream from one confirms as before', async () => {
    const { ledger, open } = await world({ snapshots: true });
    const change = await ledger.rectify({ subjectId, actor: privacy, data: { 'contact.email': 'ann.new@example.com' } });
    const reopened = open();
    await reopened.confirmRecipientNotice({ subjectId, actor: agencyActor, recipientId: 'agency', changeEventId: change.id });
    expect(reopened.cacheStats().snapshotLoads).toBeGreaterThan(0);
    const again = reopened.confirmRecipientNotice({ subjectId, actor: agencyActor, recipientId: 'agency', changeEventId: change.id });
    await expect(again).rejects.toMatchObject({ code: 'COMMAND_REFUSED', reason: 'already_confirmed' });
  });
});

describe('confirmRecipientNotice, malformed or refused: a typed error and nothing appended', () => {
  const invalidAt = (path: string) => (error: unknown) =>
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', issues: expect.arrayContaining([expect.objectContaining({ path })]) });
  const attempts: [string, Record<string, unknown>, (error: unknown) => void][] = [
    ['an unknown notice', { recipientId: 'agency', changeEventId: UNKNOWN_CHANGE }, (e) => expect(e).toMatchObject({ code: 'COMMAND_REFUSED', reason: 'no_notice_owed' })],
    ['a recipient that received nothing', { recipientId: 'stranger', changeEventId: UNKNOWN_CHANGE }, (e) => expect(e).toMatchObject({ reason: 'not_a_recipient' })],
    ['a recipient id that is no identifier', { recipientId: 'agency x/1', changeEventId: UNKNOWN_CHANGE }, invalidAt('recipientId')],
    ['an email as the recipient id', { recipientId: 'ann@example.com', changeEventId: UNKNOWN_CHANGE }, invalidAt('recipientId')],
    ['a change id that is no uuid', { recipientId: 'agency', changeEventId: 'change-1' }, invalidAt('changeEventId')],
    ['no change id', { recipientId: 'agency' }, invalidAt('changeEventId')],
    ['a field of another command', { recipientId: 'agency', changeEventId: UNKNOWN_CHANGE, erasureEventId: UNKNOWN_CHANGE }, invalidAt('erasureEventId')],
  ];

  it.each(attempts)('%s', async (_, fields, check) => {
    const { store, ledger } = await world();
    await ledger.restrict({ subjectId, actor: ann });
    const before = await recordCount(store);
    const error = await (ledger.confirmRecipientNotice as (input: unknown) => Promise<unknown>)({ subjectId, actor: privacy, ...fields }).catch((e: unknown) => e);
    expect(error instanceof ValidationError || error instanceof CommandRefusedError).toBe(true);
    check(error);
    expect(await recordCount(store)).toBe(before);
  });
});

describe('confirmRecipientErasure of an erasure of some categories, malformed or refused: a typed error and nothing appended', () => {
  it.each([
    ['an erasure id that is no uuid', { recipientId: 'carrier', erasureEventId: 'erasure-1' }, 'VALIDATION_FAILED', 'erasureEventId'],
    ['an erasure id naming no erasure', { recipientId: 'carrier', erasureEventId: UNKNOWN_CHANGE }, 'COMMAND_REFUSED', 'no_notice_owed'],
    ['a recipient that received nothing', { recipientId: 'stranger' }, 'COMMAND_REFUSED', 'not_a_recipient'],
    ['a recipient holding none of the erased categories', { recipientId: 'agency' }, 'COMMAND_REFUSED', 'not_erased'],
  ])('%s', async (_, fields, code, where) => {
    const { store, ledger } = await world();
    await ledger.erase({ subjectId, actor: privacy, categories: ['contact.address'] });
    const before = await recordCount(store);
    const error = await (ledger.confirmRecipientErasure as (input: unknown) => Promise<unknown>)({ subjectId, actor: privacy, ...fields }).catch((e: unknown) => e);
    expect(error).toMatchObject(code === 'VALIDATION_FAILED' ? { code, issues: [expect.objectContaining({ path: where })] } : { code, reason: where });
    expect(await recordCount(store)).toBe(before);
  });
});
