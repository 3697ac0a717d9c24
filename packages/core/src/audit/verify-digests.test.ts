import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore, type EventStore } from '../store';
import { insertRaw, overwriteRaw } from '../testing';
import { IdDigestSet } from './id-digests';
import { verifyChain, verifyLog, verifyStore } from './verify';

/** Writes sealed, chained records as storage access would (no id check): `id` lets a test repeat an id, as a copied event does. */
function writer(store: InMemoryEventStore) {
  const heads = new Map<string, { hash: string; revision: bigint }>();
  return async (stream: string, id: string = randomUUID()) => {
    const head = heads.get(stream);
    const { bytes, hash } = sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: `Test-${heads.size}` }, stream, head?.hash ?? GENESIS_HASH);
    heads.set(stream, { hash, revision: (head?.revision ?? -1n) + 1n });
    insertRaw(store, stream, { id, type: 'Test', data: bytes });
    return { id, bytes };
  };
}

async function logOf(count: number): Promise<{ store: InMemoryEventStore; ids: string[] }> {
  const store = new InMemoryEventStore();
  const write = writer(store);
  const ids: string[] = [];
  // Canonical UUIDs and other ids both: each is digested its own way.
  for (let i = 0; i < count; i++) ids.push((await write(`subject-s${i % 4}`, i % 3 === 0 ? `order-${i}` : randomUUID())).id);
  return { store, ids };
}

/** A view of the store that has only the port's `readAll`: verify reads it record by record, not through the in-memory scan. */
const portOnly = (store: EventStore): EventStore => ({
  append: (...a) => store.append(...a),
  readStream: (...a) => store.readStream(...a),
  readAll: (o) => store.readAll(o),
  close: () => store.close(),
  positionsGapFreeFrom: 0n,
});

/** Every id's digest the same: each id after the first is a suspect the second read must clear or confirm. */
const colliding = () => new IdDigestSet(0);

describe('verify with ids kept as digests', () => {
  it('reports no repeat in an intact log even when every id shares one digest', async () => {
    const { store } = await logOf(40);
    expect(await verifyLog(store, {}, colliding())).toEqual({ ok: true, checked: 40, broken: [], positionGaps: [], tailUnverified: true });
  });

  it('still names a copied event, and only it, when every id shares one digest', async () => {
    const { store, ids } = await logOf(20);
    // A copy of an event of another stream, chained and naming its new stream: only its id gives it away.
    await writer(store)('subject-copy', ids[5]);
    const exact = await verifyStore(store);
    expect(exact.broken).toEqual([expect.objectContaining({ stream: 'subject-copy', revision: 0n, eventId: ids[5], reason: 'duplicate_id' })]);
    expect(await verifyLog(store, {}, colliding())).toEqual(exact);
    // The second read that confirms suspects hands no record to the caller again.
    let handed = 0;
    await verifyLog(store, { onRecord: () => handed++ }, colliding());
    expect(handed).toBe(21);
  });

  it('reports a confirmed repeat as its stream first broken link, before a break the walk found later in that stream', async () => {
    const store = new InMemoryEventStore();
    const write = writer(store);
    const first = await write('subject-a');
    await write('subject-b', first.id);
    await write('subject-b');
    await write('subject-b');
    const last = await write('subject-b');
    overwriteRaw(store, 'subject-b', 3n, Buffer.from(Buffer.from(last.bytes).toString().replace('"type":"', '"type":"x')));
    const overRecords = await verifyChain(store.readAll(), { positionsGapFreeFrom: store.positionsGapFreeFrom });
    for (const result of [overRecords, await verifyStore(store), await verifyLog(store, {}, colliding())])
      expect(result.broken).toEqual([{ stream: 'subject-b', revision: 0n, position: 1n, eventId: first.id, reason: 'duplicate_id' }]);
  });

  it('gives the same answer through the in-memory scan as through the port readAll, tampered or not', async () => {
    const { store, ids } = await logOf(30);
    expect(await verifyStore(store)).toEqual(await verifyStore(portOnly(store)));
    await writer(store)('subject-copy', ids[7]);
    overwriteRaw(store, 'subject-s1', 2n, Buffer.from('{"not":"a record"}'));
    const scanned = await verifyStore(store);
    expect(scanned.broken.map((b) => b.reason).sort()).toEqual(['duplicate_id', 'malformed']);
    expect(await verifyStore(portOnly(store))).toEqual(scanned);
    // The walk over any records, ids held exactly, answers as the store's read in place.
    expect(await verifyChain(store.readAll(), { positionsGapFreeFrom: store.positionsGapFreeFrom })).toEqual(scanned);
  });
});
