import { beforeAll, describe, expect, it } from '@jest/globals';
import { conformancePolicy } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import { ValidationError } from '../errors';
import { subjectStream, type Actor } from '../events';
import { createLedger } from '../ledger';
import { InMemoryEventStore, type EventStore, type RawRecord } from '../store';
import { insertRaw, rawRecords } from '../testing';
import {
  BadSignatureError,
  buildLogTree,
  createPemSigner,
  formatCheckpoint,
  generateSignerKey,
  MalformedTransparencyTextError,
  signNote,
  UnknownKeyError,
  type Signer,
} from '../transparency';
import { CheckpointOriginError } from './checkpoints';
import { verifyChain, type VerifyOptions } from './verify';

/** The store's whole log, verified as `ledger.audit.verify()` does. */
const verifyLog = (store: EventStore, options: VerifyOptions = {}) => verifyChain(store.readAll(), { ...options, positionsGapFreeFrom: store.positionsGapFreeFrom });

const ORIGIN = 'custodian.example/ledger';
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const key = generateSignerKey(ORIGIN);
const signer = createPemSigner(key.pem, ORIGIN);
const other = generateSignerKey(ORIGIN);

/** Two customers, one after the other; `s-a` ends by withdrawing her consent and being refused. */
async function seeded(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
  for (const subjectId of ['s-a', 's-b']) {
    const subject: Actor = { id: subjectId, kind: 'subject', roles: [] };
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'web',
      purposes: ['order.fulfilment', 'marketing.email'],
      notice,
      data: { 'contact.email': `${subjectId}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: subject, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked' });
    await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign-1' });
    await ledger.withdrawConsent({ subjectId, actor: subject, purpose: 'marketing.email' });
    await ledger.restrict({ subjectId, actor: subject, reason: 'objected by phone' }).catch(() => undefined);
  }
  return store;
}

async function checkpointAt(store: EventStore, size: number, by: Signer = signer): Promise<string> {
  const log = await buildLogTree(store);
  return signNote(formatCheckpoint({ origin: ORIGIN, size, root: log.tree.rootAt(size) }), [by]);
}

/** A store holding exactly these raw records, in this order: what an attacker with the storage can leave behind. */
function storeOf(records: readonly RawRecord[]): InMemoryEventStore {
  const store = new InMemoryEventStore();
  for (const record of records) {
    const { id, type } = JSON.parse(Buffer.from(record.bytes).toString()) as { id: string; type: string };
    insertRaw(store, record.stream, { id, type, data: record.bytes });
  }
  return store;
}

describe('audit.verify against a signed checkpoint', () => {
  let original: InMemoryEventStore;
  let records: RawRecord[];
  let full: string;
  /** A checkpoint at every size, as a witness that saw each one keeps them. */
  let everySize: string[];

  beforeAll(async () => {
    original = await seeded();
    records = rawRecords(original);
    full = await checkpointAt(original, records.length);
    everySize = await Promise.all(records.map((_, i) => checkpointAt(original, i + 1)));
  });

  it('says the untouched log matches, and that without a checkpoint its tail is unverified', async () => {
    const result = await verifyLog(original, { checkpoint: full, publicKey: key.verifierKey });
    expect(result).toMatchObject({ ok: true, broken: [], positionGaps: [], tailUnverified: false });
    expect(result.checkpoint).toMatchObject({ origin: ORIGIN, size: records.length, matches: true, uncovered: 0 });
    expect(result.checkpoint?.established).toMatch(/none of them was changed, removed, reordered or inserted/);
    expect(await verifyLog(original)).toEqual({ ok: true, checked: records.length, broken: [], positionGaps: [], tailUnverified: true });
  });

  it('is what ledger.audit.verify does with a checkpoint and its key', async () => {
    const ledger = createLedger({ store: storeOf(records.slice(0, -1)), keys: new InMemoryKeyStore(), policy: conformancePolicy });
    const result = await ledger.audit.verify({ checkpoint: full, publicKey: key.verifierKey });
    expect(result).toMatchObject({ ok: false, broken: [], checkpoint: { matches: false, firstMismatch: { reason: 'truncated' } } });
    expect(await ledger.audit.verify()).toMatchObject({ ok: true, tailUnverified: true });
  });

  it('counts the events after the checkpoint as uncovered', async () => {
    const result = await verifyLog(original, { checkpoint: everySize[5]!, publicKey: key.verifierKey });
    expect(result.ok).toBe(true);
    expect(result.checkpoint).toMatchObject({ size: 6, matches: true, uncovered: records.length - 6 });
    expect(result.checkpoint?.established).toMatch(/removal of those cannot be ruled out/);
  });

  const streamA = subjectStream('s-a');
  const lastOfA = () =>
    records
      .map((r, i) => [r, i] as const)
      .filter(([r]) => r.stream === streamA)
      .slice(-2)
      .map(([, i]) => i);

  it("detects the last two events of a customer's stream cut off, which every chain still accepts", async () => {
    const [first] = lastOfA();
    const tampered = storeOf(records.filter((_, i) => !lastOfA().includes(i)));
    expect((await verifyLog(tampered)).broken).toEqual([]);
    const one = await verifyLog(tampered, { checkpoint: full, publicKey: key.verifierKey });
    expect(one.ok).toBe(false);
    expect(one.checkpoint?.firstMismatch).toEqual({ reason: 'truncated', range: [0, records.length - 2], checkpointSize: records.length });
    const narrowed = await verifyLog(tampered, { checkpoints: everySize, publicKey: key.verifierKey });
    expect(narrowed.checkpoint?.firstMismatch).toMatchObject({ reason: 'root_mismatch', index: first, range: [first, first] });
    expect(narrowed.checkpoint?.established).toMatch(new RegExp(`first differs at leaf ${first}\\b`));
  });

  it('detects the log cut at its tail', async () => {
    const tampered = storeOf(records.slice(0, -2));
    const result = await verifyLog(tampered, { checkpoints: everySize, publicKey: key.verifierKey });
    expect(result.ok).toBe(false);
    expect(result.checkpoint?.firstMismatch).toEqual({
      reason: 'truncated',
      index: records.length - 2,
      range: [records.length - 2, records.length - 2],
      checkpointSize: records.length - 1,
    });
  });

  it("detects a customer's whole stream deleted", async () => {
    const firstOfA = records.findIndex((r) => r.stream === streamA);
    const tampered = storeOf(records.filter((r) => r.stream !== streamA));
    expect((await verifyLog(tampered)).ok).toBe(true);
    const result = await verifyLog(tampered, { checkpoints: everySize, publicKey: key.verifierKey });
    expect(result.ok).toBe(false);
    expect(result.checkpoint?.firstMismatch).toMatchObject({ index: firstOfA });
  });

  it('detects two events of different streams swapped, each stream keeping its own order', async () => {
    const a = records.findIndex((r) => r.stream === streamA && r.revision === 3n);
    const b = records.findIndex((r) => r.stream === subjectStream('s-b'));
    const moved = [...records];
    moved.splice(b, 1);
    moved.splice(a, 0, records[b]!);
    const tampered = storeOf(moved);
    expect((await verifyLog(tampered)).ok).toBe(true);
    const one = await verifyLog(tampered, { checkpoint: full, publicKey: key.verifierKey });
    expect(one.checkpoint?.firstMismatch).toEqual({ reason: 'root_mismatch', range: [0, records.length - 1], checkpointSize: records.length });
    const narrowed = await verifyLog(tampered, { checkpoints: everySize, publicKey: key.verifierKey });
    expect(narrowed.checkpoint?.firstMismatch).toMatchObject({ reason: 'root_mismatch', index: a });
  });

  it('detects an event inserted inside the checkpointed prefix, chained at the end of its stream', async () => {
    const forger = createLedger({ store: storeOf(records), keys: new InMemoryKeyStore(), policy: conformancePolicy });
    await forger.grantConsent({ subjectId: 's-a', actor: { id: 's-a', kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'forged' });
    const forged = rawRecords(forger.store as InMemoryEventStore).at(-1)!;
    const at = records.findIndex((r) => r.stream === subjectStream('s-b'));
    const tampered = storeOf([...records.slice(0, at), forged, ...records.slice(at)]);
    expect((await verifyLog(tampered)).ok).toBe(true);
    const result = await verifyLog(tampered, { checkpoints: everySize, publicKey: key.verifierKey });
    expect(result.ok).toBe(false);
    expect(result.checkpoint?.firstMismatch).toMatchObject({ reason: 'root_mismatch', index: at });
  });

  it('names a record whose hash member is gone as the leaf that no longer matches', async () => {
    const tampered = storeOf(records.map((r, i) => (i === 3 ? { ...r, bytes: Buffer.from('{"id":"x","type":"y"}') } : r)));
    const result = await verifyLog(tampered, { checkpoint: full, publicKey: key.verifierKey });
    expect(result.checkpoint?.firstMismatch).toEqual({ reason: 'unreadable_leaf', index: 3, range: [3, 3], checkpointSize: records.length });
  });

  it('refuses a checkpoint altered, signed by another key, malformed, without a key, or of another log, before reading anything', async () => {
    const altered = full.replace(`\n${records.length}\n`, `\n${records.length - 2}\n`);
    await expect(verifyLog(original, { checkpoint: altered, publicKey: key.verifierKey })).rejects.toBeInstanceOf(BadSignatureError);
    const byOther = await checkpointAt(original, records.length, createPemSigner(other.pem, ORIGIN));
    await expect(verifyLog(original, { checkpoint: byOther, publicKey: key.verifierKey })).rejects.toBeInstanceOf(UnknownKeyError);
    await expect(verifyLog(original, { checkpoint: 'not a note', publicKey: key.verifierKey })).rejects.toBeInstanceOf(MalformedTransparencyTextError);
    await expect(verifyLog(original, { checkpoint: full, publicKey: 'nope' })).rejects.toBeInstanceOf(MalformedTransparencyTextError);
    await expect(verifyLog(original, { checkpoint: full })).rejects.toBeInstanceOf(ValidationError);
    await expect(verifyLog(original, { checkpoint: full, publicKey: key.verifierKey, origin: 'another/log' })).rejects.toBeInstanceOf(CheckpointOriginError);
    const unsigned = await signNote(`custodian.example/other\n1\n${'A'.repeat(43)}=\n`, [createPemSigner(key.pem, ORIGIN)]);
    await expect(verifyLog(original, { checkpoints: [full, unsigned], publicKey: key.verifierKey })).rejects.toBeInstanceOf(CheckpointOriginError);
  });
});

describe('a store whose positions are gap-free', () => {
  it('has a gap reported by verify, checkpoint or not', async () => {
    const store = await seeded();
    const gapped: EventStore = {
      ...store,
      append: store.append.bind(store),
      readStream: store.readStream.bind(store),
      close: store.close.bind(store),
      positionsGapFreeFrom: 0n,
      async *readAll() {
        for await (const record of store.readAll()) if (record.position !== 4n && record.position !== 5n) yield record;
      },
    };
    const result = await verifyLog(gapped);
    expect(result.ok).toBe(false);
    expect(result.positionGaps).toEqual([{ reason: 'position_gap', position: 4n, missing: 2n }]);
  });
});
