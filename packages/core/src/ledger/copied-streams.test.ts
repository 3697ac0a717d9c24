import { describe, expect, it } from '@jest/globals';
import { conformancePolicy } from '@custodian/testing';
import { GENESIS_HASH, InMemoryKeyStore } from '../crypto';
import { events, recipientStream, subjectStream, type Actor } from '../events';
import { InMemoryEventStore } from '../store';
import { createLedger } from './create-ledger';
import { insertRaw, rawRecords } from '../testing';

// An attacker with the storage (or a careless migration script) copies or moves whole
// streams: the records are byte for byte the ledger's own, correctly chained.

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment', 'marketing'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const privacy: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };

async function aliceConsented(store: InMemoryEventStore) {
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
  await ledger.collect({ subjectId: 'alice', actor: checkout, source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': 'alice@example.com' } });
  await ledger.grantConsent({ subjectId: 'alice', actor: { id: 'alice', kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
  return ledger;
}

/** Appends every record of `from` to `to` as it is stored, around every check of the store. */
async function copyStream(store: InMemoryEventStore, from: string, to: string): Promise<void> {
  const records = [];
  for await (const record of store.readStream(from)) records.push(record);
  for (const record of records) insertRaw(store, to, { id: record.id, type: record.type, data: Buffer.from(record.data) });
}

/** A new store holding the same records in the same order, with one stream's records filed under another name. */
function renamed(store: InMemoryEventStore, from: string, to: string): InMemoryEventStore {
  const copy = new InMemoryEventStore();
  for (const raw of rawRecords(store)) {
    const { id, type } = JSON.parse(Buffer.from(raw.bytes).toString()) as { id: string; type: string };
    insertRaw(copy, raw.stream === from ? to : raw.stream, { id, type, data: raw.bytes });
  }
  return copy;
}

const useFor = (ledger: ReturnType<typeof createLedger>, subjectId: string) =>
  ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'spring-campaign' });

describe("a subject's stream copied to another subject", () => {
  it('is reported by verify as a record in a stream other than its own', async () => {
    const store = new InMemoryEventStore();
    const ledger = await aliceConsented(store);
    await copyStream(store, subjectStream('alice'), subjectStream('eve'));
    const result = await ledger.audit.verify();
    expect(result.ok).toBe(false);
    expect(result.broken).toEqual([expect.objectContaining({ stream: subjectStream('eve'), revision: 0n, position: expect.any(BigInt), reason: 'stream_mismatch' })]);
  });

  it("gives eve no use on alice's consent: the decision is refused with TamperedStreamError", async () => {
    const store = new InMemoryEventStore();
    const ledger = await aliceConsented(store);
    await copyStream(store, subjectStream('alice'), subjectStream('eve'));
    const fresh = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    await expect(useFor(fresh, 'eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: subjectStream('eve'), revision: 0n, reason: 'stream_mismatch' });
    await expect(fresh.consentState('eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', reason: 'stream_mismatch' });
    expect((await useFor(ledger, 'alice')).allowed).toBe(true);
  });

  it('a record repeating an id of its own stream, chained and naming it, is reported as duplicate_id and refused for decisions', async () => {
    const store = new InMemoryEventStore();
    const ledger = await aliceConsented(store);
    const stream = subjectStream('alice');
    const [first] = rawRecords(store).filter((r) => r.stream === stream);
    const id = JSON.parse(Buffer.from(first!.bytes).toString()).id as string;
    // The same id again, in a record that chains and names the stream.
    const head = rawRecords(store)
      .filter((r) => r.stream === stream)
      .at(-1)!;
    const prevHash = events.decode(head.bytes).hash;
    const twin = events.decode(first!.bytes);
    const { stream: _s, prevHash: _p, hash: _h, ...body } = twin;
    const { toAppend } = events.seal({ ...body, stream } as Parameters<typeof events.seal>[0], prevHash);
    insertRaw(store, stream, { id, type: toAppend.type, data: toAppend.data });
    expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream, revision: 2n, reason: 'duplicate_id' })]);
    const fresh = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    await expect(useFor(fresh, 'alice')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream, revision: 2n, reason: 'duplicate_id' });
  });
});

describe('a record sealed anew for another stream', () => {
  it('is reported by verify as repeating an id already seen in the log', async () => {
    const store = new InMemoryEventStore();
    const ledger = await aliceConsented(store);
    const [first] = rawRecords(store).filter((r) => r.stream === subjectStream('alice'));
    const { stream: _s, prevHash: _p, hash: _h, ...body } = events.decode(first!.bytes);
    const { toAppend } = events.seal({ ...body, stream: subjectStream('eve'), subjectId: 'eve' } as Parameters<typeof events.seal>[0], GENESIS_HASH);
    insertRaw(store, subjectStream('eve'), toAppend);
    expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: subjectStream('eve'), revision: 0n, eventId: body.id, reason: 'duplicate_id' })]);
  });
});

describe('a stream renamed in storage', () => {
  it('is reported by verify and refused for decisions under its new name', async () => {
    const store = new InMemoryEventStore();
    await aliceConsented(store);
    const moved = renamed(store, subjectStream('alice'), subjectStream('eve'));
    const ledger = createLedger({ store: moved, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: subjectStream('eve'), revision: 0n, reason: 'stream_mismatch' })]);
    await expect(useFor(ledger, 'eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: subjectStream('eve'), reason: 'stream_mismatch' });
  });
});

describe("a recipient's stream copied to an unregistered recipient", () => {
  it('is reported by verify, and nothing is shared with the copy', async () => {
    const store = new InMemoryEventStore();
    const ledger = await aliceConsented(store);
    await ledger.registerRecipient({ recipientId: 'agency', actor: privacy, name: 'Agency', agreement: 'dpa-1', country: 'FR' });
    await ledger.verifyRecipient({ recipientId: 'agency', actor: privacy });
    const share = (on: typeof ledger, recipientId: string) =>
      on.share({ subjectId: 'alice', actor: marketer, recipientId, purpose: 'marketing.email', categories: ['contact.email'] });
    expect((await share(ledger, 'agency')).allowed).toBe(true);
    await copyStream(store, recipientStream('agency'), recipientStream('rogue'));
    expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: recipientStream('rogue'), revision: 0n, reason: 'stream_mismatch' })]);
    const fresh = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    await expect(share(fresh, 'rogue')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: recipientStream('rogue'), reason: 'stream_mismatch' });
    await expect(fresh.recipients()).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: recipientStream('rogue'), reason: 'stream_mismatch' });
  });
});
