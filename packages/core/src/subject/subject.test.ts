import { beforeAll, describe, expect, it } from '@jest/globals';
import { conformancePolicy, watchReads } from '@custodian/testing';
import { explainDecision } from '../audit';
import { InMemoryKeyStore } from '../crypto';
import { POLICY_STREAM, recipientStream, subjectStream, type Actor } from '../events';
import { createLedger, type Ledger } from '../ledger';
import { InMemoryEventStore, type EventStore } from '../store';
import { overwriteRaw, rawRecords } from '../testing';
import { exportSubject, readSubject, subjectAt } from '.';

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const self = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });
const notice = { id: 'privacy-notice', version: 'v3' };
const NOW = new Date('2026-06-01T00:00:00Z');
const email = (subjectId: string) => `${subjectId}@example.com`;

/** Six customers over two agencies: shares, an erasure confirmed by one agency, a withdrawal and a refusal, an access request. */
async function world(store: EventStore, keys: InMemoryKeyStore): Promise<{ ledger: Ledger; ids: Record<string, string> }> {
  const ledger = createLedger({ store, keys, policy: conformancePolicy });
  for (const recipientId of ['agency-a', 'agency-b']) {
    await ledger.registerRecipient({ recipientId, actor: dpo, name: `Agency ${recipientId.slice(-1).toUpperCase()}`, agreement: `dpa-${recipientId}`, country: 'FR' });
    await ledger.verifyRecipient({ recipientId, actor: dpo });
  }
  const ids: Record<string, string> = {};
  for (let i = 0; i < 6; i++) {
    const subjectId = `c${i}`;
    const data = { 'contact.email': email(subjectId), 'contact.address': `${i} Hauptstrasse, Berlin` };
    await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data });
    const consent = await ledger.grantConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked' });
    ids[`consent-${subjectId}`] = consent.id;
    const used = await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: `campaign-${i}` });
    ids[`use-${subjectId}`] = used.event.id;
    if (i <= 3) {
      const shared = await ledger.share({ subjectId, actor: marketer, recipientId: 'agency-a', purpose: 'marketing.email', categories: ['contact.email'] });
      ids[`share-${subjectId}`] = shared.event.id;
    }
  }
  await ledger.share({ subjectId: 'c1', actor: marketer, recipientId: 'agency-b', purpose: 'marketing.email', categories: ['contact.email'] });
  await ledger.requestErasure({ subjectId: 'c2', actor: self('c2') });
  await ledger.erase({ subjectId: 'c2', actor: dpo });
  await ledger.confirmRecipientErasure({ subjectId: 'c2', actor: dpo, recipientId: 'agency-a' });
  await ledger.withdrawConsent({ subjectId: 'c4', actor: self('c4'), purpose: 'marketing.email' });
  const refused = await ledger.use({ subjectId: 'c4', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'after' });
  ids['refused-c4'] = refused.event.id;
  await ledger.requestAccess({ subjectId: 'c3', actor: self('c3'), right: 'access' });
  return { ledger, ids };
}

const own = (subjectId: string, ...recipients: string[]) => [subjectStream(subjectId), POLICY_STREAM, ...recipients.map(recipientStream)];

describe("one subject's view reads that subject's streams only", () => {
  const store = new InMemoryEventStore();
  const keys = new InMemoryKeyStore();
  let ids: Record<string, string>;
  beforeAll(async () => {
    ({ ids } = await world(store, keys));
  });

  it('builds the view of a customer shared with two agencies from their stream, those two and the policy, never readAll', async () => {
    const watched = watchReads(store, own('c1', 'agency-a', 'agency-b'));
    const view = await readSubject(watched, 'c1', { now: NOW });
    expect(view?.chain).toMatchObject({ ok: true, checked: 5 });
    expect(view?.overview.recipients.map((r) => [r.id, r.name, r.erasure])).toEqual([
      ['agency-a', 'Agency A', 'not_requested'],
      ['agency-b', 'Agency B', 'not_requested'],
    ]);
    expect(view?.items.map((item) => item.kind)).toEqual(['collected', 'consented', 'used', 'shared', 'shared']);
    expect(view?.items[3]?.what).toBe('Shared contact.email with Agency A (FR) for marketing.email.');
    expect(view?.purposes.map((p) => p.purpose)).toEqual(['marketing.email', 'order.fulfilment']);
    expect([...watched.streamsRead].sort()).toEqual(own('c1', 'agency-a', 'agency-b').sort());
    expect(JSON.stringify(view)).not.toContain(email('c1'));
  });

  it("shows an erased customer's recipient confirmations and rights requests, reading only the agency their history names", async () => {
    const view = await readSubject(watchReads(store, own('c2', 'agency-a')), 'c2', { now: NOW });
    expect(view?.overview).toMatchObject({ erased: true, recipients: [{ id: 'agency-a', erasure: 'confirmed' }] });
    expect(view?.requests.map((r) => r.type)).toEqual(['ErasureRequested', 'DataErased']);
    expect(view?.items.map((item) => item.kind).slice(-3)).toEqual(['erasure-requested', 'erased', 'erasure-confirmed']);
  });

  it('exports with values opened by the key store, reading what the view reads and no more', async () => {
    const exported = await exportSubject({ store: watchReads(store, own('c3', 'agency-a')), keys, policy: conformancePolicy, clock: () => NOW }, 'c3');
    expect(exported.data.map((d) => [d.category, d.value])).toEqual([
      ['contact.email', email('c3')],
      ['contact.address', '3 Hauptstrasse, Berlin'],
    ]);
    expect(exported.recipients).toMatchObject([{ recipientId: 'agency-a', name: 'Agency A', country: 'FR', agreement: 'dpa-agency-a' }]);
    expect(exported.requests.map((r) => r.type)).toEqual(['AccessRequestReceived', 'AccessRequestFulfilled']);
  });

  it('explains a use and a share from the decision stream, the recipient and the policy, never the whole log', async () => {
    const use = await explainDecision(watchReads(store, own('c0')), conformancePolicy, ids['use-c0']!);
    expect(use).toMatchObject({ decision: 'allowed', consistent: true, replayed: { allowed: true, basis: { legalBasis: 'consent', consentEventId: ids['consent-c0'] } } });
    expect(use.evidence.map((event) => event.type)).toEqual(['PolicyDefined', 'DataCollected', 'ConsentGranted']);
    const share = await explainDecision(watchReads(store, own('c3', 'agency-a')), conformancePolicy, ids['share-c3']!);
    expect(share).toMatchObject({ decision: 'allowed', consistent: true });
    expect(share.evidence.map((event) => event.type)).toContain('RecipientVerified');
    const refused = await explainDecision(watchReads(store, own('c4')), conformancePolicy, ids['refused-c4']!);
    expect(refused).toMatchObject({ decision: 'denied', consistent: true, replayed: { allowed: false, reason: 'consent_withdrawn' } });
  });

  it('explains the same on a store without locate, which it scans to find the event', async () => {
    const { locate: _locate, ...rest } = watchReads(store, own('c0'));
    const scanning: EventStore = { ...rest, readAll: (options) => store.readAll(options) };
    const indexed = await explainDecision(store, conformancePolicy, ids['use-c0']!);
    expect(await explainDecision(scanning, conformancePolicy, ids['use-c0']!)).toEqual(indexed);
  });

  it('replays one customer at a position or a time from their streams, with one bounded look-up for the moment', async () => {
    const ledger = createLedger({ store, keys, policy: conformancePolicy });
    const { position } = await positionOf(store, ids['use-c1']!);
    const watched = watchReads(store, own('c1', 'agency-a', 'agency-b'), { maxReadAll: 1 });
    const then = await subjectAt(watched, 'c1', position);
    expect(then).toMatchObject({ known: true, momentRecorded: true, events: 3 });
    expect(then.history.map((h) => h.kind)).toEqual(['used']);
    expect(then.consent).toEqual(await ledger.audit.at(position).consentState('c1'));
    expect(then.inventory).toEqual(await ledger.audit.at(position).inventory('c1'));
    expect(watched.readAllCalls).toEqual([{ fromPosition: position, maxCount: 1 }]);
    const now = await subjectAt(watchReads(store, own('c1', 'agency-a', 'agency-b')), 'c1', new Date('2100-01-01T00:00:00Z'));
    expect(now.history.map((h) => h.kind)).toEqual(['used', 'shared', 'shared']);
    expect(now.recipients.map((r) => [r.recipientId, r.status, r.received.length])).toEqual([
      ['agency-a', 'verified', 1],
      ['agency-b', 'verified', 1],
    ]);
  });
});

async function positionOf(store: EventStore, eventId: string): Promise<{ position: bigint }> {
  const at = await store.locate?.(eventId);
  if (!at) throw new Error(`no event ${eventId}`);
  return at;
}

describe('a subject view on a tampered stream', () => {
  it('stops the view before the broken link, and refuses the export', async () => {
    const store = new InMemoryEventStore();
    const keys = new InMemoryKeyStore();
    await world(store, keys);
    const stream = subjectStream('c1');
    const raw = rawRecords(store).find((r) => r.stream === stream && r.revision === 2n)!;
    const record = JSON.parse(Buffer.from(raw.bytes).toString()) as { data: { activity: string } };
    record.data.activity = 'rewritten';
    overwriteRaw(store, stream, 2n, Buffer.from(JSON.stringify(record)));
    const view = await readSubject(store, 'c1', { now: NOW });
    expect(view?.chain).toMatchObject({ ok: false, broken: { revision: 2n, reason: 'hash_mismatch' } });
    expect(view?.items.map((item) => item.kind)).toEqual(['collected', 'consented']);
    await expect(exportSubject({ store, keys, policy: conformancePolicy, clock: () => NOW }, 'c1')).rejects.toMatchObject({
      code: 'STREAM_TAMPERED',
      stream,
      revision: 2n,
      reason: 'hash_mismatch',
    });
  });
});
