import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore, type RawRecord } from '../store';
import { insertRaw, rawRecords } from '../testing';
import { buildLogTree, createPemSigner, formatCheckpoint, generateSignerKey, signNote } from '../transparency';
import { createHashPool, hashingInThread } from './hash-pool';
import { IdDigestSet } from './id-digests';
import type { BatchBuffers } from './record-batch';
import { verifyChain, verifyLog, type Parallelism, type VerifyOptions } from './verify';

const ORIGIN = 'custodian.example/threads';
const key = generateSignerKey(ORIGIN);
const signer = createPemSigner(key.pem, ORIGIN);

/** Batches of 8 records, on two worker threads from the first record, against the same batches hashed on this thread. */
const threads: Parallelism = { workers: 2, from: 0, batchBits: 3 };
const oneThread: Parallelism = { workers: 0, from: 0, batchBits: 3 };
const COUNT = 61;
const STREAMS = 5;

/** Sealed, chained records round-robin over five streams: canonical UUIDs and other ids both. */
function sealedLog(): RawRecord[] {
  const heads = new Map<string, string>();
  return Array.from({ length: COUNT }, (_, i) => {
    const stream = `subject-s${i % STREAMS}`;
    const id = i % 4 === 0 ? `order-${i}` : randomUUID();
    const { bytes, hash } = sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: i } }, stream, heads.get(stream) ?? GENESIS_HASH);
    heads.set(stream, hash);
    return { stream, revision: BigInt(Math.floor(i / STREAMS)), bytes };
  });
}

const idOf = (record: RawRecord) => (JSON.parse(Buffer.from(record.bytes).toString()) as { id: string }).id;

/** A store holding exactly these records in this order, each under the id it names unless `ids` says otherwise. */
function storeOf(records: readonly RawRecord[], ids: readonly string[] = records.map(idOf)): InMemoryEventStore {
  const store = new InMemoryEventStore();
  records.forEach((record, i) => insertRaw(store, record.stream, { id: ids[i] as string, type: 'Test', data: record.bytes }));
  return store;
}

const withBytes = (record: RawRecord, edit: (text: string) => string): RawRecord => ({ ...record, bytes: Buffer.from(edit(Buffer.from(record.bytes).toString())) });

describe('verify with the digests taken on worker threads', () => {
  let log: RawRecord[];
  /** A checkpoint at every size: a mismatch is narrowed to its leaf. */
  let everySize: string[];
  const against = (): VerifyOptions => ({ checkpoints: everySize, publicKey: signer.verifierKey });

  beforeAll(async () => {
    log = sealedLog();
    const tree = await buildLogTree(storeOf(log));
    everySize = await Promise.all(log.map((_, i) => signNote(formatCheckpoint({ origin: ORIGIN, size: i + 1, root: tree.tree.rootAt(i + 1) }), [signer])));
  });

  /** The answer on worker threads, which must be the one hashed on this thread, by digests and by exact ids alike. */
  async function threaded(store: InMemoryEventStore, options: VerifyOptions = against()) {
    const result = await verifyLog(store, options, new IdDigestSet(), threads);
    expect(result).toEqual(await verifyLog(store, options, new IdDigestSet(), oneThread));
    const exact = await verifyChain(store.readAll(), { ...options, positionsGapFreeFrom: store.positionsGapFreeFrom }, threads);
    expect(exact).toEqual(result);
    return result;
  }

  describe('the pool', () => {
    const pool = createHashPool(2);
    afterAll(() => pool.close());

    it('hashes on worker threads what this thread hashes, batch for batch', async () => {
      expect(pool.threaded).toBe(true);
      const records = sealedLog().slice(0, 8);
      const packed = (): BatchBuffers => {
        const bytes = Buffer.concat(records.map((r) => Buffer.from(r.bytes)));
        const ids = Buffer.from(records.map(idOf).join(''));
        let end = 0;
        let idEnd = 0;
        const ends = Uint32Array.from(records, (r) => (end += r.bytes.byteLength));
        const idEnds = Uint32Array.from(records, (r) => (idEnd += Buffer.byteLength(idOf(r))));
        const own = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
        return { bytes: own(bytes), ends: own(new Uint8Array(ends.buffer)), ids: own(ids), idEnds: own(new Uint8Array(idEnds.buffer)) };
      };
      const inWorker = await pool.hash(packed(), 8, 0xffffffff);
      const here = await hashingInThread.hash(packed(), 8, 0xffffffff);
      expect(Buffer.from(inWorker.leafHashes).toString('hex')).toBe(Buffer.from(here.leafHashes).toString('hex'));
      expect([...inWorker.status]).toEqual([...here.status]);
      expect([...(inWorker.digests ?? [])]).toEqual([...(here.digests ?? [])]);
      expect(Buffer.from(inWorker.root ?? []).toString('hex')).toBe(Buffer.from(here.root ?? []).toString('hex'));
      // The root of eight leaves is the tree's own at size 8.
      const tree = await buildLogTree(storeOf(records));
      expect(Buffer.from(inWorker.root ?? []).toString('hex')).toBe(Buffer.from(tree.tree.rootAt(8)).toString('hex'));
    });
  });

  it('passes the untouched log and matches every checkpoint, those inside a batch and those at its end', async () => {
    const result = await threaded(storeOf(log));
    expect(result).toMatchObject({ ok: true, checked: COUNT, broken: [], checkpoint: { matches: true, size: COUNT } });
    expect(result.checkpoint?.checked.every((c) => c.matches)).toBe(true);
  });

  it('names the record whose bytes were changed, in a later batch than the records before it in its stream', async () => {
    const tampered = log.map((r, i) => (i === 37 ? withBytes(r, (t) => t.replace('"n":37', '"n":73')) : r));
    const result = await threaded(storeOf(tampered));
    expect(result.broken).toEqual([expect.objectContaining({ stream: log[37]?.stream, position: 37n, reason: 'hash_mismatch' })]);
    expect(result.checkpoint?.firstMismatch).toBeUndefined();
  });

  it('ranks a record found malformed or changed above the link faults it also has', async () => {
    // Record 12 is changed and no longer links (its prevHash rewritten): the change is what is named.
    const relinked = log.map((r, i) => (i === 12 ? withBytes(r, (t) => t.replace(/"prevHash":"[0-9a-f]{64}"/, `"prevHash":"${'1'.repeat(64)}"`)) : r));
    expect((await threaded(storeOf(relinked))).broken).toEqual([expect.objectContaining({ position: 12n, reason: 'hash_mismatch' })]);
    const cut = log.map((r, i) => (i === 26 ? { ...r, bytes: r.bytes.subarray(0, 40) } : r));
    const result = await threaded(storeOf(cut, log.map(idOf)));
    expect(result.broken).toEqual([expect.objectContaining({ position: 26n, reason: 'malformed' })]);
    expect(result.checkpoint?.firstMismatch).toMatchObject({ reason: 'unreadable_leaf', index: 26 });
  });

  it('names the first leaf that differs once an event is deleted, and the break in its stream', async () => {
    const result = await threaded(storeOf(log.filter((_, i) => i !== 20)));
    // The store numbers revisions anew: the next event of the stream is caught by its link.
    expect(result.broken).toEqual([expect.objectContaining({ stream: log[25]?.stream, position: 24n, revision: 4n, reason: 'prev_hash_mismatch' })]);
    expect(result.checkpoint?.firstMismatch).toMatchObject({ reason: 'root_mismatch', index: 20 });
  });

  it('names the first leaf that differs when events of two streams swap places across a batch boundary', async () => {
    const swapped = [...log];
    [swapped[15], swapped[16]] = [log[16] as RawRecord, log[15] as RawRecord];
    const result = await threaded(storeOf(swapped));
    expect(result.broken).toEqual([]);
    expect(result.checkpoint?.firstMismatch).toMatchObject({ reason: 'root_mismatch', index: 15 });
  });

  it('names a record stored under another id than its own, and a copied one', async () => {
    const ids = log.map(idOf);
    ids[43] = randomUUID();
    expect((await threaded(storeOf(log, ids))).broken).toEqual([expect.objectContaining({ position: 43n, reason: 'id_mismatch', eventId: ids[43] })]);
    // A copy of event 3, chained at the end of a new stream: only its id gives it away.
    const copy = sealRecord({ id: idOf(log[3] as RawRecord), occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: 3 } }, 'subject-copy', GENESIS_HASH);
    const copied = await threaded(storeOf([...log, { stream: 'subject-copy', revision: 0n, bytes: copy.bytes }]), {});
    expect(copied.broken).toEqual([expect.objectContaining({ stream: 'subject-copy', position: BigInt(COUNT), reason: 'duplicate_id' })]);
  });

  it('reports the log cut short as truncated after the last batch, however few records it holds', async () => {
    const result = await threaded(storeOf(log.slice(0, 50)));
    expect(result.checkpoint?.firstMismatch).toMatchObject({ reason: 'truncated', index: 50 });
    expect(rawRecords(storeOf(log.slice(0, 50)))).toHaveLength(50);
  });

  it('holds the process while its workers hash, and not a moment after', () => {
    // A script that verifies and prints nothing until the answer comes: were the workers not
    // holding the process, it would end with the verify half done, printing nothing; were the
    // idle workers holding it, it would not end before their idle time (5 s) is up.
    const script = `
      const { verifyLog } = require('./verify');
      const { IdDigestSet } = require('./id-digests');
      const { InMemoryEventStore } = require('../store');
      const { insertRaw } = require('../testing');
      const { GENESIS_HASH, sealRecord } = require('../crypto');
      const store = new InMemoryEventStore();
      for (let i = 0; i < 300; i++) {
        const { bytes } = sealRecord({ id: 'e' + i, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test' }, 'subject-' + i, GENESIS_HASH);
        insertRaw(store, 'subject-' + i, { id: 'e' + i, type: 'Test', data: bytes });
      }
      verifyLog(store, {}, new IdDigestSet(), { workers: 2, from: 0, batchBits: 3 }).then((result) => {
        const done = Date.now();
        process.on('exit', () => console.log(JSON.stringify({ ok: result.ok, checked: result.checked, lingered: Date.now() - done })));
      });`;
    const out = execFileSync(process.execPath, ['--require', 'ts-node/register/transpile-only', '-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 60_000 });
    const { ok, checked, lingered } = JSON.parse(out.trim()) as { ok: boolean; checked: number; lingered: number };
    expect({ ok, checked }).toEqual({ ok: true, checked: 300 });
    expect(lingered).toBeLessThan(5_000);
  });
});
