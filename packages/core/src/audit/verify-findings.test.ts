import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore, type EventStore, type RecordedEvent } from '../store';
import { insertRaw } from '../testing';
import { verifyChain, verifyStore, type VerifyOptions, type VerifyResult } from './verify';

/** A sealed record as storage holds it; `edit` changes its bytes after sealing, as a tamperer would. */
interface Sealed {
  readonly stream: string;
  readonly revision: bigint;
  readonly id: string;
  readonly bytes: Buffer;
}

/** Sealed, chained records, one per `streams` entry, in that order: revisions and prevHashes as the ledger writes them. */
function sealed(streams: readonly string[], idOf: (i: number) => string = (i) => `event-${i}`): Sealed[] {
  const heads = new Map<string, { hash: string; revision: bigint }>();
  return streams.map((stream, i) => {
    const head = heads.get(stream);
    const id = idOf(i);
    const { bytes, hash } = sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: i } }, stream, head?.hash ?? GENESIS_HASH);
    const revision = head === undefined ? 0n : head.revision + 1n;
    heads.set(stream, { hash, revision });
    return { stream, revision, id, bytes };
  });
}

/** The records as a read of the log hands them over, at the positions given (by default 0, 1, 2...). */
function recorded(records: readonly Sealed[], positions: readonly bigint[] = records.map((_, i) => BigInt(i))): RecordedEvent[] {
  return records.map((r, i) => ({ stream: r.stream, revision: r.revision, position: positions[i] as bigint, id: r.id, type: 'Test', data: r.bytes }));
}

async function* iterate(records: readonly RecordedEvent[]): AsyncIterable<RecordedEvent> {
  yield* records;
}

/** A store holding exactly these records, in this order, with no check: what an attacker with the storage leaves behind. */
function storeOf(records: readonly Sealed[]): InMemoryEventStore {
  const store = new InMemoryEventStore();
  for (const record of records) insertRaw(store, record.stream, { id: record.id, type: 'Test', data: record.bytes });
  return store;
}

const withText = (record: Sealed, edit: (text: string) => string): Sealed => ({ ...record, bytes: Buffer.from(edit(record.bytes.toString())) });

/** The same records verified both ways: ids held exactly (verifyChain over the records) and as digests (verifyStore); both must answer alike. */
async function bothWays(records: readonly Sealed[], options: VerifyOptions = {}): Promise<VerifyResult> {
  const store = storeOf(records);
  const exact = await verifyChain(iterate(recorded(records)), { ...options, positionsGapFreeFrom: 0n });
  expect(await verifyStore(store, options)).toStrictEqual(exact);
  return exact;
}

describe('verify names each finding exactly', () => {
  it('passes an intact log with no checkpoint property at all, and its tail unverified', async () => {
    const result = await bothWays(sealed(['subject-a', 'subject-b', 'subject-a']));
    expect(result).toStrictEqual({ ok: true, checked: 3, broken: [], positionGaps: [], tailUnverified: true });
    expect(Object.keys(result)).toEqual(['ok', 'checked', 'broken', 'positionGaps', 'tailUnverified']);
  });

  it('passes an empty log', async () => {
    expect(await bothWays([])).toStrictEqual({ ok: true, checked: 0, broken: [], positionGaps: [], tailUnverified: true });
  });

  it('passes a stream of one event, and names it when it is changed', async () => {
    const [only] = sealed(['subject-only']) as [Sealed];
    expect(await bothWays([only])).toStrictEqual({ ok: true, checked: 1, broken: [], positionGaps: [], tailUnverified: true });
    const changed = withText(only, (t) => t.replace('"n":0', '"n":9'));
    expect((await bothWays([changed])).broken).toStrictEqual([{ stream: 'subject-only', revision: 0n, position: 0n, eventId: 'event-0', reason: 'hash_mismatch' }]);
  });

  it('names the first record of the log when it is changed', async () => {
    const log = sealed(['subject-a', 'subject-b', 'subject-a', 'subject-b']);
    log[0] = withText(log[0] as Sealed, (t) => t.replace('"type":"Test"', '"type":"Tost"'));
    const result = await bothWays(log);
    expect(result.ok).toBe(false);
    expect(result.broken).toStrictEqual([{ stream: 'subject-a', revision: 0n, position: 0n, eventId: 'event-0', reason: 'hash_mismatch' }]);
  });

  it('names the last record of the log when it is changed', async () => {
    const log = sealed(['subject-a', 'subject-b', 'subject-a', 'subject-b']);
    log[3] = withText(log[3] as Sealed, (t) => t.replace('"n":3', '"n":4'));
    expect((await bothWays(log)).broken).toStrictEqual([{ stream: 'subject-b', revision: 1n, position: 3n, eventId: 'event-3', reason: 'hash_mismatch' }]);
  });

  it('names a record stored in another stream than the one it names, as stream_mismatch', async () => {
    const log = sealed(['subject-a', 'subject-b', 'subject-a']);
    // subject-b's first record, sealed for subject-b, is stored as subject-c's first: its hash still matches its bytes.
    const moved: Sealed[] = [log[0] as Sealed, { ...(log[1] as Sealed), stream: 'subject-c' }, log[2] as Sealed];
    const result = await bothWays(moved);
    expect(result.ok).toBe(false);
    expect(result.broken).toStrictEqual([{ stream: 'subject-c', revision: 0n, position: 1n, eventId: 'event-1', reason: 'stream_mismatch' }]);
  });

  it('names a record whose stored revision skips one although its link is intact, as revision_gap', async () => {
    const log = sealed(['subject-a', 'subject-a', 'subject-a']);
    const renumbered: Sealed[] = [log[0] as Sealed, log[1] as Sealed, { ...(log[2] as Sealed), revision: 3n }];
    const result = await verifyChain(iterate(recorded(renumbered)));
    expect(result.broken).toStrictEqual([{ stream: 'subject-a', revision: 3n, position: 2n, eventId: 'event-2', reason: 'revision_gap' }]);
  });

  it('names a stream that starts at revision 1, its first event gone, as revision_gap at its first record', async () => {
    const log = sealed(['subject-a', 'subject-a']);
    const result = await verifyChain(iterate(recorded([{ ...(log[1] as Sealed), revision: 1n }])));
    expect(result.broken).toStrictEqual([{ stream: 'subject-a', revision: 1n, position: 0n, eventId: 'event-1', reason: 'revision_gap' }]);
  });

  it('names a first record whose prevHash is not the genesis hash, as prev_hash_mismatch', async () => {
    const log = sealed(['subject-a', 'subject-a']);
    // The second record, renumbered as the first: its revision fits, its link does not.
    const result = await verifyChain(iterate(recorded([{ ...(log[1] as Sealed), revision: 0n }])));
    expect(result.broken).toStrictEqual([{ stream: 'subject-a', revision: 0n, position: 0n, eventId: 'event-1', reason: 'prev_hash_mismatch' }]);
  });

  it('names a record stored under another id than its own, as id_mismatch', async () => {
    const log = sealed(['subject-a', 'subject-a']);
    const result = await bothWays([log[0] as Sealed, { ...(log[1] as Sealed), id: 'someone-else' }]);
    expect(result.broken).toStrictEqual([{ stream: 'subject-a', revision: 1n, position: 1n, eventId: 'someone-else', reason: 'id_mismatch' }]);
  });

  it('names bytes that are no record at all as malformed, whatever their length', async () => {
    const log = sealed(['subject-a', 'subject-b']);
    const junk = (bytes: string): Sealed => ({ ...(log[1] as Sealed), bytes: Buffer.from(bytes) });
    for (const bytes of ['{}', 'x'.repeat(400), `{"id":"event-1","type":"Test","stream":"subject-b","prevHash":"${GENESIS_HASH}"}`]) {
      const result = await bothWays([log[0] as Sealed, junk(bytes)]);
      expect(result.broken).toStrictEqual([{ stream: 'subject-b', revision: 0n, position: 1n, eventId: 'event-1', reason: 'malformed' }]);
    }
  });

  it('ranks a changed record above its repeated id, held exactly or as digests alike', async () => {
    const log = sealed(['subject-a', 'subject-b'], () => 'same-id');
    log[1] = withText(log[1] as Sealed, (t) => t.replace('"n":1', '"n":2'));
    expect((await bothWays(log)).broken).toStrictEqual([{ stream: 'subject-b', revision: 0n, position: 1n, eventId: 'same-id', reason: 'hash_mismatch' }]);
  });

  it('lists the broken streams in the order of their first broken record in the log', async () => {
    // subject-b repeats an id at position 1 (found on a second read when ids are digests); subject-a breaks later, at position 3.
    const log = sealed(['subject-a', 'subject-b', 'subject-c', 'subject-a', 'subject-c'], (i) => (i === 1 ? 'event-0' : `event-${i}`));
    log[3] = withText(log[3] as Sealed, (t) => t.replace('"n":3', '"n":5'));
    log[4] = withText(log[4] as Sealed, (t) => t.replace('"n":4', '"n":5'));
    expect((await bothWays(log)).broken).toStrictEqual([
      { stream: 'subject-b', revision: 0n, position: 1n, eventId: 'event-0', reason: 'duplicate_id' },
      { stream: 'subject-a', revision: 1n, position: 3n, eventId: 'event-3', reason: 'hash_mismatch' },
      { stream: 'subject-c', revision: 1n, position: 4n, eventId: 'event-4', reason: 'hash_mismatch' },
    ]);
  });

  it('reports only the first broken record of a stream, however many follow', async () => {
    const log = sealed(['subject-a', 'subject-a', 'subject-a', 'subject-a', 'subject-b']);
    const tampered = log.map((r, i) => (i === 1 || i === 3 ? withText(r, (t) => t.replace(`"n":${i}`, '"n":7')) : r));
    const result = await bothWays(tampered.filter((_, i) => i !== 2));
    expect(result.broken).toStrictEqual([{ stream: 'subject-a', revision: 1n, position: 1n, eventId: 'event-1', reason: 'hash_mismatch' }]);
  });

  it('checks every stream of a log of more than a thousand streams, each against its own head', async () => {
    // 1,100 streams outgrow the walk's first tables (1,024 heads); the first and the last streams each get a second event after,
    // and so does subject-1024, the first stream past those tables (the store's stream number 1,024).
    const names = Array.from({ length: 1_100 }, (_, i) => `subject-${i}`);
    const log = sealed([...names, 'subject-0', 'subject-1099', 'subject-1024']);
    expect(await bothWays(log)).toStrictEqual({ ok: true, checked: 1_103, broken: [], positionGaps: [], tailUnverified: true });
    // The last record links to subject-1024's head: relinked to subject-1023's, it no longer does.
    const relinked = sealRecord({ id: 'event-1102', occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: 1102 } }, 'subject-1024', hashOf(log[1023] as Sealed));
    const tampered = [...log.slice(0, -1), { ...(log[1102] as Sealed), bytes: relinked.bytes }];
    expect((await bothWays(tampered)).broken).toStrictEqual([{ stream: 'subject-1024', revision: 1n, position: 1102n, eventId: 'event-1102', reason: 'prev_hash_mismatch' }]);
  });
});

const hashOf = (record: Sealed): string => (JSON.parse(record.bytes.toString()) as { hash: string }).hash;

/** A store whose `readAll` skips the positions given, and which promises gap-free positions from `gapFreeFrom` (or nothing). */
function withGaps(records: readonly Sealed[], positions: readonly bigint[], gapFreeFrom: bigint | undefined): EventStore {
  const store = storeOf(records);
  return {
    append: (...a) => store.append(...a),
    readStream: (...a) => store.readStream(...a),
    close: () => store.close(),
    ...(gapFreeFrom !== undefined && { positionsGapFreeFrom: gapFreeFrom }),
    async *readAll() {
      yield* recorded(records, positions);
    },
  };
}

describe('verify of a store whose positions are gap-free', () => {
  // One event per stream: a deleted event breaks no chain, only the positions show it.
  const log = sealed(['subject-a', 'subject-b', 'subject-c', 'subject-d', 'subject-e']);

  it('reports a gap even when every chain is intact', async () => {
    const result = await verifyChain(iterate(recorded(log, [0n, 1n, 3n, 4n, 5n])), { positionsGapFreeFrom: 0n });
    expect(result).toStrictEqual({ ok: false, checked: 5, broken: [], positionGaps: [{ reason: 'position_gap', position: 2n, missing: 1n }], tailUnverified: true });
  });

  it('reports the first position missing, and the one at position 1', async () => {
    expect((await verifyChain(iterate(recorded(log, [1n, 2n, 3n, 4n, 5n])), { positionsGapFreeFrom: 0n })).positionGaps).toStrictEqual([
      { reason: 'position_gap', position: 0n, missing: 1n },
    ]);
    expect((await verifyChain(iterate(recorded(log, [0n, 2n, 3n, 4n, 5n])), { positionsGapFreeFrom: 0n })).positionGaps).toStrictEqual([
      { reason: 'position_gap', position: 1n, missing: 1n },
    ]);
  });

  it('reports every gap, each with how many positions it misses, and none in a log that starts where the store says', async () => {
    const result = await verifyChain(iterate(recorded(log, [5n, 6n, 9n, 10n, 14n])), { positionsGapFreeFrom: 5n });
    expect(result.positionGaps).toStrictEqual([
      { reason: 'position_gap', position: 7n, missing: 2n },
      { reason: 'position_gap', position: 11n, missing: 3n },
    ]);
    expect((await verifyChain(iterate(recorded(log, [5n, 6n, 7n, 8n, 9n])), { positionsGapFreeFrom: 5n })).ok).toBe(true);
  });

  it('reports no gap in a part of the log, whose positions need not follow one another', async () => {
    expect(await verifyChain(iterate(recorded(log, [0n, 2n, 3n, 7n, 8n])))).toStrictEqual({ ok: true, checked: 5, broken: [], positionGaps: [], tailUnverified: true });
  });

  it('takes the promise from the store in verifyStore, or from the options over a store that makes none', async () => {
    const gapped = [0n, 1n, 2n, 4n, 5n];
    const expected = [{ reason: 'position_gap', position: 3n, missing: 1n }];
    expect((await verifyStore(withGaps(log, gapped, 0n))).positionGaps).toStrictEqual(expected);
    expect((await verifyStore(withGaps(log, gapped, undefined), { positionsGapFreeFrom: 0n })).positionGaps).toStrictEqual(expected);
    expect(await verifyStore(withGaps(log, gapped, undefined))).toMatchObject({ ok: true, positionGaps: [] });
  });
});

describe('verify reports its progress', () => {
  it('once with the count at the end of a small log', async () => {
    const calls: number[] = [];
    await verifyChain(iterate(recorded(sealed(['subject-a', 'subject-b', 'subject-a']))), { onProgress: (checked) => calls.push(checked) });
    expect(calls).toEqual([3]);
  });

  it('every 10,000 events, and once more with the count at the end', async () => {
    const calls: number[] = [];
    const log = sealed(Array.from({ length: 10_001 }, () => 'subject-a'));
    const result = await verifyChain(iterate(recorded(log)), { onProgress: (checked) => calls.push(checked) });
    expect(result).toMatchObject({ ok: true, checked: 10_001 });
    expect(calls).toEqual([10_000, 10_001]);
  });
});
