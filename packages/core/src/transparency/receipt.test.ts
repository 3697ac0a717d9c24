import { beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryKeyStore } from '../crypto';
import { ValidationError } from '../errors';
import { subjectStream, type Actor, type CustodianEvent } from '../events';
import { createLedger, type Ledger } from '../ledger';
import { definePolicy } from '../policy';
import { InMemoryEventStore, type RecordedEvent } from '../store';
import { parseCheckpoint } from './checkpoint';
import { createCheckpointer } from './checkpointer';
import { CheckpointMismatchError, EventNotInLogError, MalformedTransparencyTextError, NoReceiptForEventError } from './errors';
import { buildLogTree } from './log-tree';
import { openNote } from './note';
import { createInMemoryPublisher } from './publisher';
import { verifyReceipt, type Receipt } from './receipt';
import { createPemSigner, generateSignerKey } from './signer';
import { verifyConsistency } from './verify';

const ORIGIN = 'shop.example/ledger';
const signer = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);
const otherCompany = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);
const SUBJECT = 'cust-4f9a2c';
const customer: Actor = { id: SUBJECT, kind: 'subject', roles: [] };
const dpo: Actor = { id: 'dpo-17', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'analytics.web': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['analytics'], retention: 'P1Y' },
  },
  permissions: { erase: ['privacy'] },
});

interface Story {
  store: InMemoryEventStore;
  ledger: Ledger;
  acts: Record<string, CustodianEvent>;
  /** The signed checkpoint covering the whole story. */
  note: string;
}

async function story(): Promise<Story> {
  const store = new InMemoryEventStore();
  let minute = 0;
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: () => new Date(Date.UTC(2026, 2, 1, 10, minute++)) });
  const service: Actor = { id: 'checkout-service', kind: 'service', roles: ['marketing'] };
  await ledger.collect({ subjectId: SUBJECT, actor: service, source: 'checkout-form', purposes: ['marketing.email'], notice, data: { 'contact.email': 'ann@example.com' } });
  const acts: Record<string, CustodianEvent> = {};
  acts.ConsentGranted = await ledger.grantConsent({
    subjectId: SUBJECT,
    actor: customer,
    purpose: 'marketing.email',
    notice,
    method: 'checkbox',
    expiresAt: new Date(Date.UTC(2027, 0, 1)),
  });
  acts.ConsentWithdrawn = await ledger.withdrawConsent({ subjectId: SUBJECT, actor: customer, purpose: 'marketing.email', method: 'email' });
  acts.ObjectionRaised = await ledger.object({ subjectId: SUBJECT, actor: customer, purposes: ['analytics.web'] });
  acts.ProcessingRestricted = await ledger.restrict({ subjectId: SUBJECT, actor: customer });
  const access = await ledger.requestAccess({ subjectId: SUBJECT, actor: customer, right: 'portability' });
  acts.AccessRequestReceived = access.received;
  acts.AccessRequestFulfilled = access.fulfilled;
  acts.ErasureRequested = await ledger.requestErasure({ subjectId: SUBJECT, actor: customer });
  acts.DataErased = await ledger.erase({ subjectId: SUBJECT, actor: dpo });
  const checkpointer = createCheckpointer({ store, signer, origin: ORIGIN, publisher: createInMemoryPublisher() });
  const note = (await checkpointer.checkpointNow())?.note as string;
  return { store, ledger, acts, note };
}

let s: Story;
beforeAll(async () => {
  s = await story();
});

const withdrawal = () => s.acts.ConsentWithdrawn as CustodianEvent;

describe('a receipt', () => {
  it('is issued for each of the subject’s acts and verifies with the company’s key alone, as an object or as JSON', async () => {
    expect(Object.keys(s.acts)).toHaveLength(8);
    for (const [type, event] of Object.entries(s.acts)) {
      const receipt = await s.ledger.receipt(event.id, { checkpoint: s.note });
      expect(receipt).toMatchObject({ format: 'custodian.receipt/1', recordId: event.id, eventType: type, piiPrincipalId: SUBJECT, leaf: { data: event.hash } });
      const check = verifyReceipt(JSON.parse(JSON.stringify(receipt)) as unknown, signer.verifierKey);
      expect(check).toMatchObject({ ok: true, proven: true, checkpoint: { origin: ORIGIN, size: 10 } });
      expect(verifyReceipt(JSON.stringify(receipt), signer.verifierKey).ok).toBe(true);
    }
  });

  it('carries the fields of a consent record the customer recognises, read from the record', async () => {
    const grant = await s.ledger.receipt((s.acts.ConsentGranted as CustodianEvent).id);
    expect(grant).toMatchObject({
      purposes: ['marketing.email'],
      notice: { noticeId: 'privacy-notice', noticeVersion: 'v3' },
      collectionMethod: 'checkbox',
      expiresAt: '2027-01-01T00:00:00.000Z',
      consentTimestamp: (s.acts.ConsentGranted as CustodianEvent).occurredAt,
      recordedBy: { id: SUBJECT, kind: 'subject' },
    });
    expect(await s.ledger.receipt(withdrawal().id)).toMatchObject({ purposes: ['marketing.email'], collectionMethod: 'email' });
    expect(await s.ledger.receipt((s.acts.DataErased as CustodianEvent).id)).toMatchObject({ erasureMethod: 'crypto-shred', recipientsNotified: [], recordedBy: { id: 'dpo-17' } });
    const fulfilled = await s.ledger.receipt((s.acts.AccessRequestFulfilled as CustodianEvent).id);
    expect(fulfilled).toMatchObject({ requestRecordId: (s.acts.AccessRequestReceived as CustodianEvent).id, exportDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The record is in it byte for byte, and holds no personal value in plaintext.
    expect(Buffer.from(grant.record, 'base64').toString('utf8')).not.toContain('ann@example.com');
  });

  it('is issued for a privacy signal applied, naming the purposes it opted out of and the signal', async () => {
    const signals = definePolicy({
      purposes: { 'ads.retargeting': { legalBasis: 'consent', categories: ['behavioural.browsing'], roles: ['ads'], retention: 'P1Y', optOutSignals: ['gpc'] } },
    });
    const ledger = createLedger({ store: new InMemoryEventStore(), keys: new InMemoryKeyStore(), policy: signals });
    const applied = await ledger.applyPrivacySignal({ subjectId: SUBJECT, actor: customer, signal: 'gpc', source: { kind: 'dom' } });
    const receipt = await ledger.receipt(applied.id);
    expect(receipt).toMatchObject({ eventType: 'PrivacySignalApplied', purposes: ['ads.retargeting'], collectionMethod: 'gpc', recordedBy: { id: SUBJECT, kind: 'subject' } });
    expect(verifyReceipt(receipt, signer.verifierKey)).toEqual({ ok: true, proven: false });
    expect(verifyReceipt({ ...receipt, collectionMethod: 'web-form' }, signer.verifierKey)).toEqual({ ok: false, reason: 'field_mismatch', field: 'collectionMethod' });
  });

  it('has no proof before a checkpoint covers the event, and says so', async () => {
    const receipt = await s.ledger.receipt(withdrawal().id);
    expect(receipt.proof).toBeUndefined();
    expect(verifyReceipt(receipt, signer.verifierKey)).toEqual({ ok: true, proven: false });
    const earlier = createCheckpointer({ store: new InMemoryEventStore(), signer, origin: ORIGIN, publisher: createInMemoryPublisher() });
    expect(await earlier.checkpointNow()).toBeUndefined();
  });

  it('is not issued for a use, nor for an event the log does not hold', async () => {
    const use = await s.ledger.use({
      subjectId: 'cust-other',
      actor: { id: 'campaign-service', kind: 'service', roles: ['marketing'] },
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: 'campaign:spring',
    });
    await expect(s.ledger.receipt(use.event.id)).rejects.toThrow(NoReceiptForEventError);
    await expect(s.ledger.receipt('0190f3a2-0000-7000-8000-000000000000')).rejects.toThrow(EventNotInLogError);
    // Anything but an event id is refused before it could be echoed: it may be personal.
    const refused = s.ledger.receipt('ann@example.com');
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.not.toThrow(/ann@example\.com/);
  });
});

describe('a receipt tampered with', () => {
  let receipt: Receipt;
  beforeAll(async () => {
    receipt = await s.ledger.receipt(withdrawal().id, { checkpoint: s.note });
  });

  it('is refused when a field no longer says what the record says', () => {
    expect(verifyReceipt({ ...receipt, collectionMethod: 'web-form' }, signer.verifierKey)).toEqual({ ok: false, reason: 'field_mismatch', field: 'collectionMethod' });
    expect(verifyReceipt({ ...receipt, purposes: ['analytics.web'] }, signer.verifierKey)).toMatchObject({ reason: 'field_mismatch', field: 'purposes' });
    expect(verifyReceipt({ ...receipt, consentTimestamp: '2026-01-01T00:00:00.000Z' }, signer.verifierKey)).toMatchObject({ reason: 'field_mismatch', field: 'consentTimestamp' });
    expect(verifyReceipt({ ...receipt, eventType: 'ConsentGranted' }, signer.verifierKey)).toMatchObject({ reason: 'field_mismatch', field: 'eventType' });
  });

  it('is refused when the record was changed, or swapped for another record of the log', async () => {
    const text = Buffer.from(receipt.record, 'base64').toString('utf8').replace('"method":"email"', '"method":"phone"');
    expect(verifyReceipt({ ...receipt, collectionMethod: 'phone', record: Buffer.from(text).toString('base64') }, signer.verifierKey)).toMatchObject({
      ok: false,
      reason: 'record_hash_mismatch',
    });
    // Another event's whole receipt content, under this receipt's proof: a leaf from another position.
    const grant = await s.ledger.receipt((s.acts.ConsentGranted as CustodianEvent).id);
    expect(verifyReceipt({ ...grant, proof: receipt.proof }, signer.verifierKey)).toEqual({ ok: false, reason: 'root_mismatch', field: 'proof' });
    expect(verifyReceipt({ ...receipt, leaf: grant.leaf }, signer.verifierKey)).toMatchObject({ ok: false, reason: 'leaf_mismatch' });
  });

  it('is refused when its proof was altered: a hash, the index, a hash short', () => {
    const proof = receipt.proof as string;
    const [head, checkpoint] = [proof.slice(0, proof.indexOf('\n\n')), proof.slice(proof.indexOf('\n\n') + 2)];
    const lines = head.split('\n');
    const flipped = Buffer.from(lines[2] as string, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    const withHash = [...lines.slice(0, 2), flipped.toString('base64'), ...lines.slice(3)].join('\n');
    expect(verifyReceipt({ ...receipt, proof: `${withHash}\n\n${checkpoint}` }, signer.verifierKey)).toMatchObject({ ok: false, reason: 'root_mismatch' });
    const index = Number((lines[1] as string).slice('index '.length));
    const moved = [lines[0], `index ${index + 1}`, ...lines.slice(2)].join('\n');
    expect(verifyReceipt({ ...receipt, proof: `${moved}\n\n${checkpoint}` }, signer.verifierKey)).toMatchObject({ ok: false });
    const short = lines.slice(0, -1).join('\n');
    expect(verifyReceipt({ ...receipt, proof: `${short}\n\n${checkpoint}` }, signer.verifierKey)).toMatchObject({ ok: false, reason: 'proof_too_short' });
  });

  it('is refused when its checkpoint was altered or is signed by another company’s key', async () => {
    const proof = receipt.proof as string;
    const altered = proof.replace(/\n10\n/, '\n11\n');
    expect(verifyReceipt({ ...receipt, proof: altered }, signer.verifierKey)).toEqual({ ok: false, reason: 'bad_signature', field: 'proof' });
    // The right receipt, the wrong key; and a receipt whose checkpoint another company signed.
    expect(verifyReceipt(receipt, otherCompany.verifierKey)).toEqual({ ok: false, reason: 'unknown_key', field: 'proof' });
    const theirs = createCheckpointer({ store: s.store, signer: otherCompany, origin: ORIGIN, publisher: createInMemoryPublisher() });
    const theirNote = (await theirs.checkpointNow())?.note as string;
    const signedByThem = await s.ledger.receipt(withdrawal().id, { checkpoint: theirNote });
    expect(verifyReceipt(signedByThem, signer.verifierKey)).toEqual({ ok: false, reason: 'unknown_key', field: 'proof' });
  });

  it('is a typed error naming the field when it is not a receipt at all', () => {
    expect(() => verifyReceipt('{not json', signer.verifierKey)).toThrow(MalformedTransparencyTextError);
    expect(() => verifyReceipt({ ...receipt, record: 'not base64!' }, signer.verifierKey)).toThrow(/malformed receipt: record/);
    expect(() => verifyReceipt({ ...receipt, extra: 'member' }, signer.verifierKey)).toThrow(/malformed receipt/);
    const { recordId: _, ...missing } = receipt;
    expect(() => verifyReceipt(missing, signer.verifierKey)).toThrow(/malformed receipt: recordId/);
    expect(() => verifyReceipt(receipt, 'not a key')).toThrow(MalformedTransparencyTextError);
  });
});

describe('a receipt for an event the log later lost', () => {
  it('still verifies against its checkpoint, and whoever holds that checkpoint sees the rewrite', async () => {
    const receipt = await s.ledger.receipt(withdrawal().id, { checkpoint: s.note });
    const held = parseCheckpoint(openNote(s.note, signer.verifierKey).text);

    // The company rewrites history: her withdrawal and everything after it in her stream are
    // gone. Her stream's chain is intact (its tail was cut), and the log grows on.
    const rewritten = new InMemoryEventStore();
    const records: RecordedEvent[] = [];
    for await (const record of s.store.readAll()) records.push(record);
    const cutAt = records.findIndex((r) => r.id === withdrawal().id);
    const kept = records.filter((r, i) => r.stream !== subjectStream(SUBJECT) || i < cutAt);
    for (const record of kept) await rewritten.append(record.stream, [{ id: record.id, type: record.type, data: record.data }], 'any');
    const ledger = createLedger({ store: rewritten, keys: new InMemoryKeyStore(), policy });
    for (let i = 0; i < 12; i++)
      await ledger.grantConsent({ subjectId: `cust-${i}`, actor: { id: `cust-${i}`, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'web-form' });
    expect((await ledger.audit.verify()).ok).toBe(true);

    // Her receipt needs nothing from the company: it still proves the withdrawal was in the log.
    expect(verifyReceipt(receipt, signer.verifierKey)).toMatchObject({ ok: true, proven: true, checkpoint: { size: held.size } });
    await expect(ledger.receipt(withdrawal().id)).rejects.toThrow(EventNotInLogError);

    // An auditor holding the checkpoint (it is in her receipt, verbatim) rebuilds the log's tree: the prefix no longer matches.
    const log = await buildLogTree(rewritten);
    expect(log.size).toBeGreaterThan(held.size);
    expect(Buffer.from(log.tree.rootAt(held.size)).equals(Buffer.from(held.root))).toBe(false);
    // A witness holding it refuses the company's next checkpoint: no consistency proof leads there.
    const next = await createCheckpointer({ store: rewritten, signer, origin: ORIGIN, publisher: createInMemoryPublisher() }).checkpointNow();
    const proof = log.tree.consistencyProof(held.size, next!.checkpoint.size);
    expect(verifyConsistency(held.size, next!.checkpoint.size, proof, held.root, next!.checkpoint.root)).toMatchObject({ ok: false });
    // The company's own checkpointer, restarted on its publisher, refuses to sign for the rewritten log.
    const publisher = createInMemoryPublisher();
    await publisher.publish(s.note, held);
    await expect(createCheckpointer({ store: rewritten, signer, origin: ORIGIN, publisher }).checkpointNow()).rejects.toThrow(CheckpointMismatchError);
    // Nor is a receipt issued against the checkpoint the rewritten log no longer matches.
    await expect(ledger.receipt((s.acts.ConsentGranted as CustodianEvent).id, { checkpoint: s.note })).rejects.toThrow(CheckpointMismatchError);
  });
});
