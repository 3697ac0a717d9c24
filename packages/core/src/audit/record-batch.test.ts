import { describe, expect, it } from '@jest/globals';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { checkRecord, GENESIS_HASH, sealRecord, storedHash, streamMember } from '../crypto';
import { leafHash, rootOfLeaves } from '../transparency';
import { IdDigestSet } from './id-digests';
import {
  answerBatch,
  hashRecordBatch,
  ID_MISMATCH,
  LEAF_UNREADABLE,
  RECORD_HASH_MISMATCH,
  RECORD_MALFORMED,
  unpackBatch,
  type BatchBuffers,
  type BatchReply,
  type HashedBatch,
} from './record-batch';

const STREAM = 'subject-batch';

/** A record as stored: its bytes and the id it is stored under. */
interface Stored {
  readonly bytes: Buffer;
  readonly id: string;
}

function sealed(id: string, n: number, stream = STREAM, prevHash = GENESIS_HASH): Stored {
  return { bytes: sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n } }, stream, prevHash).bytes, id };
}

const edited = (record: Stored, edit: (text: string) => string): Stored => ({ ...record, bytes: Buffer.from(edit(record.bytes.toString())) });

/** Every shape a stored record can take, each named. */
function shapes(): [string, Stored][] {
  const intact = sealed('order-1', 1);
  return [
    ['intact, a plain id', intact],
    ['intact, a canonical UUID', sealed('6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f', 2)],
    ['intact, an id JSON escapes', sealed('quote " and \\ backslash', 3)],
    ['intact, an id beyond ASCII', sealed('commande-é€-😀', 4)],
    ['intact, linked to a record before it', sealed('order-5', 5, STREAM, 'a'.repeat(64))],
    ['changed after sealing', edited(sealed('order-6', 6), (t) => t.replace('"n":6', '"n":7'))],
    ['its hash member in capitals', edited(sealed('order-7', 7), (t) => t.replace(/"hash":"([0-9a-f]{64})"/, (_, h: string) => `"hash":"${h.toUpperCase()}"`))],
    ['its hash member not hex at all', edited(sealed('order-8', 8), (t) => t.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'z'.repeat(64)}"`))],
    ['cut short', { ...intact, bytes: intact.bytes.subarray(0, 40) }],
    ['cut before its last brace', { ...intact, bytes: intact.bytes.subarray(0, intact.bytes.length - 1) }],
    ['empty', { bytes: Buffer.alloc(0), id: 'order-empty' }],
    ['not JSON', { bytes: Buffer.from('plain text, no record'), id: 'order-text' }],
    ['stored under another id', { ...sealed('order-11', 11), id: 'order-other' }],
    ['stored under an id that only starts like its own', { ...sealed('order-12', 12), id: 'order-1' }],
    ['stored under its own id with a beyond-ASCII neighbour', { ...sealed('commande-é', 13), id: 'commande-è' }],
  ];
}

/** The records packed as a verify packs them: back to back, in buffers with room to spare and junk after what is used. */
function pack(records: readonly Stored[], spare = 16): BatchBuffers {
  const bytes = Buffer.alloc(records.reduce((n, r) => n + r.bytes.length, 0) + spare, 0x7b);
  const ids = Buffer.alloc(records.reduce((n, r) => n + Buffer.byteLength(r.id), 0) + spare, 0x22);
  const ends = new Uint32Array(records.length + 2).fill(0xffffffff);
  const idEnds = new Uint32Array(records.length + 2).fill(0xffffffff);
  let end = 0;
  let idEnd = 0;
  records.forEach((record, i) => {
    end += record.bytes.copy(bytes, end);
    idEnd += ids.write(record.id, idEnd, 'utf8');
    ends[i] = end;
    idEnds[i] = idEnd;
  });
  const own = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return { bytes: own(bytes), ends: ends.buffer as ArrayBuffer, ids: own(ids), idEnds: idEnds.buffer as ArrayBuffer };
}

const ZERO_LEAF = leafHash(Buffer.alloc(32));

/** What the main thread's own functions (the chain check, the log's leaf hash, the id as parsed) say of one record. */
function reference(record: Stored): { own: number; unreadable: boolean; idMismatch: boolean | undefined; leaf: Buffer } {
  const check = checkRecord(record.bytes, streamMember(STREAM));
  const own = !check.ok && check.reason === 'malformed' ? RECORD_MALFORMED : !check.ok && check.reason === 'hash_mismatch' ? RECORD_HASH_MISMATCH : 0;
  const stored = storedHash(record.bytes);
  const readable = stored !== undefined && /^[0-9a-f]{64}$/.test(stored);
  let parsed: { id?: unknown } | undefined;
  try {
    parsed = JSON.parse(record.bytes.toString()) as { id?: unknown };
  } catch {
    parsed = undefined;
  }
  return { own, unreadable: !readable, idMismatch: parsed === undefined ? undefined : parsed.id !== record.id, leaf: readable ? leafHash(Buffer.from(stored, 'hex')) : ZERO_LEAF };
}

const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));
const leafAt = (hashed: HashedBatch, i: number) => hex(hashed.leafHashes.subarray(32 * i, 32 * i + 32));

describe('hashRecordBatch: what a worker computes of a batch', () => {
  it.each(shapes())('finds of a record %s what the main thread finds of it, alone in a batch', (_, record) => {
    // Given one record of this shape; when it is hashed as a batch of one
    const hashed = hashRecordBatch(unpackBatch(pack([record]), 1, 0xffffffff));
    const expected = reference(record);
    // Then its own fault, its leaf (zeros for an unreadable hash member) and its id's check are the main thread's
    const status = hashed.status[0] as number;
    expect(status & (RECORD_MALFORMED | RECORD_HASH_MISMATCH)).toBe(expected.own);
    expect((status & LEAF_UNREADABLE) !== 0).toBe(expected.unreadable);
    // A record that is not JSON has no id to parse: its own fault is what verify reports of it.
    if (expected.idMismatch !== undefined) expect((status & ID_MISMATCH) !== 0).toBe(expected.idMismatch);
    expect(status & ~(RECORD_MALFORMED | RECORD_HASH_MISMATCH | LEAF_UNREADABLE | ID_MISMATCH)).toBe(0);
    expect(leafAt(hashed, 0)).toBe(hex(expected.leaf));
    expect(hashed.leafHashes.byteLength).toBe(32);
    // and a batch of one is a perfect subtree: its root is its leaf.
    expect(hex(hashed.root)).toBe(hex(expected.leaf));
    const digests = new Uint32Array(2);
    new IdDigestSet(0xffffffff).digestInto(Buffer.from(record.id), 0, Buffer.byteLength(record.id), digests, 0);
    expect([...(hashed.digests ?? [])]).toEqual([...digests]);
  });

  it('gives an intact record status 0 and a changed, an unreadable and a misfiled one their own flags exactly', () => {
    const shape = new Map(shapes());
    const statusOf = (name: string) => hashRecordBatch(unpackBatch(pack([shape.get(name) as Stored]), 1, undefined)).status[0];
    expect(statusOf('intact, a plain id')).toBe(0);
    expect(statusOf('changed after sealing')).toBe(RECORD_HASH_MISMATCH);
    expect(statusOf('its hash member in capitals')).toBe(RECORD_HASH_MISMATCH | LEAF_UNREADABLE);
    expect(statusOf('stored under another id')).toBe(ID_MISMATCH);
    expect(hashRecordBatch(unpackBatch(pack([{ bytes: Buffer.from('{}'), id: 'order-1' }]), 1, undefined)).status[0]).toBe(RECORD_MALFORMED | LEAF_UNREADABLE | ID_MISMATCH);
  });

  it('hashes every record of a batch of every shape in its place: offsets, lengths and the last record end where its `ends` say', () => {
    // Given the shapes packed back to back, the empty record among them, in buffers with junk past their ends
    const records = shapes().map(([, r]) => r);
    const mask = 0x0000ffff;
    const hashed = hashRecordBatch(unpackBatch(pack(records), records.length, mask));
    // Then record i is hashed as it is alone: no byte of its neighbours, none of the junk
    records.forEach((record, i) => {
      const alone = hashRecordBatch(unpackBatch(pack([record], 0), 1, mask));
      expect({ i, status: hashed.status[i], leaf: leafAt(hashed, i), digest: [hashed.digests?.[2 * i], hashed.digests?.[2 * i + 1]] }).toEqual({
        i,
        status: alone.status[0],
        leaf: leafAt(alone, 0),
        digest: [alone.digests?.[0], alone.digests?.[1]],
      });
    });
    expect(hashed.status).toHaveLength(records.length);
    expect(hashed.leafHashes.byteLength).toBe(32 * records.length);
    expect(hashed.digests).toHaveLength(2 * records.length);
    // and 15 leaves are no perfect subtree
    expect(hashed.root).toBeUndefined();
  });

  it.each([1, 2, 4, 8, 16])('folds a batch of %i leaves, a power of two, into the root of the log tree over them', (count) => {
    let prev = GENESIS_HASH;
    const records = Array.from({ length: count }, (_, i) => {
      const record = sealed(`order-${i}`, i, STREAM, prev);
      prev = storedHash(record.bytes) as string;
      return record;
    });
    // One record with an unreadable hash member: its leaf is the zeros' in the fold too.
    if (count > 2) records[1] = edited(records[1] as Stored, (t) => t.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'z'.repeat(64)}"`));
    const hashed = hashRecordBatch(unpackBatch(pack(records), count, undefined));
    expect(hex(hashed.root)).toBe(hex(rootOfLeaves(records.map((r) => reference(r).leaf))));
    // The fold works on a copy: the leaves stay as they were.
    records.forEach((record, i) => expect(leafAt(hashed, i)).toBe(hex(reference(record).leaf)));
  });

  it.each([3, 5, 6, 7, 12])('gives a batch of %i leaves, not a power of two, no root', (count) => {
    const records = Array.from({ length: count }, (_, i) => sealed(`order-${i}`, i));
    expect(hashRecordBatch(unpackBatch(pack(records), count, undefined)).root).toBeUndefined();
  });

  it('gives an empty batch nothing: no status, no leaf, no root, no digest', () => {
    const hashed = hashRecordBatch(unpackBatch(pack([]), 0, 0xffffffff));
    expect({ status: hashed.status.length, leaves: hashed.leafHashes.byteLength, root: hashed.root, digests: hashed.digests?.length }).toEqual({
      status: 0,
      leaves: 0,
      root: undefined,
      digests: 0,
    });
  });

  it("takes the ids' digests only when a mask is given, with that mask", () => {
    const records = [sealed('order-a', 1), sealed('order-b', 2)];
    expect(hashRecordBatch(unpackBatch(pack(records), 2, undefined)).digests).toBeUndefined();
    const mask = 0x00ff00ff;
    const digests = new Uint32Array(4);
    const set = new IdDigestSet(mask);
    records.forEach((r, i) => set.digestInto(Buffer.from(r.id), 0, r.id.length, digests, 2 * i));
    expect([...(hashRecordBatch(unpackBatch(pack(records), 2, mask)).digests ?? [])]).toEqual([...digests]);
    expect(digests.some((d, i) => d !== new Uint32Array(4).fill(0)[i])).toBe(true);
  });
});

describe('unpackBatch: the layout of a batch in its buffers', () => {
  it('views the buffers it is given, without a copy: the bytes, the ends, the ids and their ends, the count and the mask', () => {
    const buffers = pack([sealed('order-1', 1), sealed('order-2', 2)]);
    const batch = unpackBatch(buffers, 2, 0x1234);
    expect(batch.bytes.buffer).toBe(buffers.bytes);
    expect(batch.ends.buffer).toBe(buffers.ends);
    expect(batch.ids.buffer).toBe(buffers.ids);
    expect(batch.idEnds.buffer).toBe(buffers.idEnds);
    expect({ bytes: batch.bytes.length, ends: batch.ends.length, ids: batch.ids.length, idEnds: batch.idEnds.length }).toEqual({
      bytes: buffers.bytes.byteLength,
      ends: buffers.ends.byteLength / 4,
      ids: buffers.ids.byteLength,
      idEnds: buffers.idEnds.byteLength / 4,
    });
    expect(batch.ids.toString('utf8', 0, batch.idEnds[0])).toBe('order-1');
    expect(batch.ids.toString('utf8', batch.idEnds[0], batch.idEnds[1])).toBe('order-2');
    expect({ count: batch.count, digestMask: batch.digestMask }).toEqual({ count: 2, digestMask: 0x1234 });
    expect(unpackBatch(buffers, 2, undefined).digestMask).toBeUndefined();
  });
});

describe('answerBatch: what a hashing worker answers', () => {
  /** Posts the answer across a message channel, as the worker does, and takes what arrives. */
  async function across(reply: BatchReply, transfer: ArrayBuffer[]): Promise<BatchReply> {
    const { port1, port2 }: { port1: MessagePort; port2: MessagePort } = new MessageChannel();
    try {
      const arrived = new Promise<BatchReply>((resolve) => port2.once('message', resolve));
      port1.postMessage(reply, transfer);
      return await arrived;
    } finally {
      port1.close();
      port2.close();
    }
  }

  /** The very buffers, in this order (toEqual would compare their bytes). */
  function expectSame(transfer: readonly ArrayBuffer[], expected: readonly (ArrayBufferLike | undefined)[]): void {
    expect(transfer).toHaveLength(expected.length);
    transfer.forEach((buffer, i) => expect(buffer).toBe(expected[i]));
  }

  it('answers with the request id, the batch hashed and its own buffers, and hands every buffer back by transfer', async () => {
    const records = [sealed('order-1', 1), edited(sealed('order-2', 2), (t) => t.replace('"n":2', '"n":3')), sealed('order-3', 3), sealed('order-4', 4)];
    const buffers = pack(records);
    const expected = hashRecordBatch(unpackBatch(pack(records), 4, 0xffffffff));
    const { reply, transfer } = answerBatch({ id: 41, buffers, count: 4, digestMask: 0xffffffff });
    expect(reply.id).toBe(41);
    expect(reply.buffers).toBe(buffers);
    expectSame(transfer, [buffers.bytes, buffers.ends, buffers.ids, buffers.idEnds, reply.status.buffer, reply.leafHashes.buffer, reply.digests?.buffer]);
    const sent = [reply.status, reply.leafHashes, reply.digests as Uint32Array];
    const arrived = await across(reply, transfer);
    // Transferred, not copied: what was sent is detached here, and arrives whole.
    transfer.forEach((buffer) => expect(buffer.byteLength).toBe(0));
    sent.forEach((array) => expect(array.byteLength).toBe(0));
    expect(arrived.id).toBe(41);
    expect([...arrived.status]).toEqual([...expected.status]);
    expect(hex(arrived.leafHashes)).toBe(hex(expected.leafHashes));
    expect(hex(arrived.root)).toBe(hex(expected.root));
    expect([...(arrived.digests ?? [])]).toEqual([...(expected.digests ?? [])]);
    expect(Buffer.from(arrived.buffers.bytes).subarray(0, records[0]?.bytes.length).toString()).toBe(records[0]?.bytes.toString());
  });

  it('transfers no digests when none were asked for', () => {
    const buffers = pack([sealed('order-1', 1)]);
    const { reply, transfer } = answerBatch({ id: 0, buffers, count: 1, digestMask: undefined });
    expect(reply.digests).toBeUndefined();
    expectSame(transfer, [buffers.bytes, buffers.ends, buffers.ids, buffers.idEnds, reply.status.buffer, reply.leafHashes.buffer]);
  });
});
