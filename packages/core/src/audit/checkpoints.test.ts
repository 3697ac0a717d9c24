import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { ValidationError } from '../errors';
import type { RecordedEvent } from '../store';
import { createPemSigner, formatCheckpoint, generateSignerKey, leafDataOfRecord, leafHash, rootOfLeaves, signNote } from '../transparency';
import { CheckpointOriginError, createPrefixCheck } from './checkpoints';
import { verifyChain, type VerifyOptions } from './verify';

const ORIGIN = 'custodian.example/checkpoints';
const key = generateSignerKey(ORIGIN);
const signer = createPemSigner(key.pem, ORIGIN);
const other = generateSignerKey(ORIGIN);

/** Eight sealed records over three streams, chained as the ledger writes them. */
function sealedLog(count = 8): RecordedEvent[] {
  const heads = new Map<string, { hash: string; revision: bigint }>();
  return Array.from({ length: count }, (_, i) => {
    const stream = `subject-${'abc'[i % 3]}`;
    const head = heads.get(stream);
    const { bytes, hash } = sealRecord({ id: `event-${i}`, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: i } }, stream, head?.hash ?? GENESIS_HASH);
    const revision = head === undefined ? 0n : head.revision + 1n;
    heads.set(stream, { hash, revision });
    return { stream, revision, position: BigInt(i), id: `event-${i}`, type: 'Test', data: bytes };
  });
}

const log = sealedLog();

/** The root of the first `size` leaves of `records`, a record with no readable hash member counted as 32 zero bytes. */
function rootOf(records: readonly RecordedEvent[], size: number): Uint8Array {
  return rootOfLeaves(
    records.slice(0, size).map((r) => {
      try {
        return leafHash(leafDataOfRecord(r.data));
      } catch {
        return leafHash(Buffer.alloc(32));
      }
    }),
  );
}

/** A checkpoint of the log at `size`, signed as a publisher does. */
const signed = (size: number, records: readonly RecordedEvent[] = log, origin = ORIGIN) => signNote(formatCheckpoint({ origin, size, root: rootOf(records, size) }), [signer]);

async function* iterate(records: readonly RecordedEvent[]): AsyncIterable<RecordedEvent> {
  yield* records.map((r, i) => ({ ...r, position: BigInt(i) }));
}

const verify = (records: readonly RecordedEvent[], options: VerifyOptions) => verifyChain(iterate(records), { publicKey: key.verifierKey, ...options });

/** The log with the records at `i` and `j` (of different streams) swapped: every chain still holds, the order does not. */
function swapped(i: number, j: number, records: readonly RecordedEvent[] = log): RecordedEvent[] {
  const out = [...records];
  [out[i], out[j]] = [records[j] as RecordedEvent, records[i] as RecordedEvent];
  return out;
}

/** The log with the record at each of `at` replaced by bytes that have no hash member. */
const hashless = (at: readonly number[], records: readonly RecordedEvent[] = log): RecordedEvent[] =>
  records.map((r, i) => (at.includes(i) ? { ...r, data: Buffer.from(`{"id":"${r.id}","type":"Test"}`) } : r));

describe('verify against signed checkpoints: what is established', () => {
  it('says the whole log matches a checkpoint at exactly its head, in words', async () => {
    const result = await verify(log, { checkpoint: await signed(8) });
    expect(result).toStrictEqual({
      ok: true,
      checked: 8,
      broken: [],
      positionGaps: [],
      checkpoint: {
        origin: ORIGIN,
        size: 8,
        checked: [{ size: 8, matches: true }],
        uncovered: 0,
        matches: true,
        established: `The log's first 8 events hash to the root signed in the checkpoint of ${ORIGIN}: none of them was changed, removed, reordered or inserted since it was signed.`,
      },
      tailUnverified: false,
    });
  });

  it('checks checkpoints given in any order, one alone and several, smallest first', async () => {
    const result = await verify(log, { checkpoint: await signed(6), checkpoints: [await signed(7), await signed(1)] });
    expect(result.checkpoint).toStrictEqual({
      origin: ORIGIN,
      size: 7,
      checked: [
        { size: 1, matches: true },
        { size: 6, matches: true },
        { size: 7, matches: true },
      ],
      uncovered: 1,
      matches: true,
      established:
        `The log's first 7 events hash to the root signed in each of the 3 checkpoints of ${ORIGIN}: none of them was changed, removed, reordered or inserted since it was signed.` +
        ' The 1 event after them are in no checkpoint: removal of those cannot be ruled out.',
    });
  });

  it('speaks of one event as one, covered or not', async () => {
    const result = await verify(log, { checkpoint: await signed(1) });
    expect(result.checkpoint).toMatchObject({ size: 1, uncovered: 7, matches: true });
    expect(result.checkpoint?.established).toBe(
      `The log's first 1 event hash to the root signed in the checkpoint of ${ORIGIN}: none of them was changed, removed, reordered or inserted since it was signed. The 7 events after them are in no checkpoint: removal of those cannot be ruled out.`,
    );
  });

  it('matches a checkpoint of the empty log, alone or beside a larger one', async () => {
    expect((await verify(log, { checkpoint: await signed(0) })).checkpoint).toMatchObject({ size: 0, matches: true, uncovered: 8, checked: [{ size: 0, matches: true }] });
    const both = await verify(log, { checkpoints: [await signed(0), await signed(8)] });
    expect(both.checkpoint).toMatchObject({
      size: 8,
      matches: true,
      checked: [
        { size: 0, matches: true },
        { size: 8, matches: true },
      ],
    });
  });

  it('opens checkpoints with any of several keys given', async () => {
    const result = await verify(log, { checkpoint: await signed(8), publicKey: [other.verifierKey, key.verifierKey] });
    expect(result.checkpoint?.matches).toBe(true);
  });
});

describe('verify against signed checkpoints: where the log stops matching', () => {
  it('says a log cut short was truncated, with the range the missing leaf is in, when one checkpoint cannot narrow it', async () => {
    const result = await verify(log.slice(0, 6), { checkpoint: await signed(8) });
    expect(result.ok).toBe(false);
    expect(result.checkpoint).toStrictEqual({
      origin: ORIGIN,
      size: 8,
      checked: [{ size: 8, matches: false }],
      uncovered: 0,
      matches: false,
      firstMismatch: { reason: 'truncated', range: [0, 6], checkpointSize: 8 },
      established: `The log holds 6 events, fewer than the 8 signed in the checkpoint of ${ORIGIN}: events were removed; the log first differs at a leaf from 0 to 6 (more checkpoints of smaller sizes would narrow it).`,
    });
  });

  it('narrows a truncation to the range after the last checkpoint that matches, or to one leaf', async () => {
    const ranged = await verify(log.slice(0, 6), { checkpoints: [await signed(4), await signed(8)] });
    expect(ranged.checkpoint?.firstMismatch).toStrictEqual({ reason: 'truncated', range: [4, 6], checkpointSize: 8 });
    expect(ranged.checkpoint?.established).toBe(
      `The log holds 6 events, fewer than the 8 signed in the checkpoint of ${ORIGIN}: events were removed; the log first differs at a leaf from 4 to 6.`,
    );
    const one = await verify(log.slice(0, 1), { checkpoints: [await signed(1), await signed(2)] });
    expect(one.checkpoint?.firstMismatch).toStrictEqual({ reason: 'truncated', index: 1, range: [1, 1], checkpointSize: 2 });
    expect(one.checkpoint?.established).toBe(
      `The log holds 1 event, fewer than the 2 signed in the checkpoint of ${ORIGIN}: events were removed; the log first differs at leaf 1.`,
    );
  });

  it('says a reordered log does not hash to the root, first for the whole checkpoint, then narrowed between checkpoints', async () => {
    const reordered = swapped(2, 3);
    expect((await verifyChain(iterate(reordered))).broken).toEqual([]);
    const whole = await verify(reordered, { checkpoint: await signed(8) });
    expect(whole.checkpoint).toMatchObject({ matches: false, uncovered: 0, firstMismatch: { reason: 'root_mismatch', range: [0, 7], checkpointSize: 8 } });
    expect(whole.checkpoint?.firstMismatch).not.toHaveProperty('index');
    expect(whole.checkpoint?.established).toBe(
      `The log's first 8 events do not hash to the root signed in the checkpoint of ${ORIGIN}: an event among them was changed, removed, reordered or inserted; the log first differs at a leaf from 0 to 7 (more checkpoints of smaller sizes would narrow it).`,
    );
    const between = await verify(reordered, { checkpoints: [await signed(2), await signed(5), await signed(8)] });
    expect(between.checkpoint).toMatchObject({
      matches: false,
      checked: [
        { size: 2, matches: true },
        { size: 5, matches: false },
        { size: 8, matches: false },
      ],
      firstMismatch: { reason: 'root_mismatch', range: [2, 4], checkpointSize: 5 },
    });
    expect(between.checkpoint?.established).toBe(
      `The log's first 5 events do not hash to the root signed in the checkpoint of ${ORIGIN}: an event among them was changed, removed, reordered or inserted; the log first differs at a leaf from 2 to 4.`,
    );
    const atLeaf = await verify(reordered, { checkpoints: [await signed(2), await signed(3)] });
    expect(atLeaf.checkpoint?.firstMismatch).toStrictEqual({ reason: 'root_mismatch', index: 2, range: [2, 2], checkpointSize: 3 });
  });

  it('counts a record with no hash member as unreadable only inside the checkpoints it is in', async () => {
    const tampered = hashless([3]);
    // A checkpoint that ends right before it still matches; the one that holds it does not.
    expect((await verify(tampered, { checkpoint: await signed(3) })).checkpoint).toMatchObject({ matches: true, uncovered: 5 });
    const result = await verify(tampered, { checkpoints: [await signed(3), await signed(4)] });
    expect(result.checkpoint).toMatchObject({
      matches: false,
      checked: [
        { size: 3, matches: true },
        { size: 4, matches: false },
      ],
    });
    expect(result.checkpoint?.firstMismatch).toStrictEqual({ reason: 'unreadable_leaf', index: 3, range: [3, 3], checkpointSize: 4 });
    expect(result.checkpoint?.established).toBe(`The record at leaf 3 has no hash to take its leaf from: the log no longer matches the checkpoint of 4 events of ${ORIGIN}.`);
  });

  it('names the first of several records with no hash member', async () => {
    const result = await verify(hashless([5, 3]), { checkpoint: await signed(8) });
    expect(result.checkpoint?.firstMismatch).toStrictEqual({ reason: 'unreadable_leaf', index: 3, range: [3, 3], checkpointSize: 8 });
  });

  it('does not blame a record with no hash member past the checkpoint that fails for another reason', async () => {
    for (const checkpoints of [[await signed(4)], [await signed(4), await signed(8)]]) {
      const result = await verify(hashless([4], swapped(1, 2)), { checkpoints });
      expect(result.checkpoint?.firstMismatch).toStrictEqual({ reason: 'root_mismatch', range: [0, 3], checkpointSize: 4 });
    }
  });

  it('takes no checkpoint as proof of a record with no hash member, even one signed over the log as it is', async () => {
    // The signed root was taken over the tampered log, its unreadable leaf as zeros: the roots agree, yet nothing proves that record.
    const tampered = hashless([3]);
    const result = await verify(tampered, { checkpoint: await signed(8, tampered) });
    expect(result.checkpoint).toMatchObject({ matches: false, firstMismatch: { reason: 'unreadable_leaf', index: 3 } });
    expect(result.ok).toBe(false);
  });

  it('is not ok when only the checkpoint fails: every chain intact, no gap', async () => {
    const result = await verify(swapped(2, 3), { checkpoint: await signed(8) });
    expect(result).toMatchObject({ ok: false, broken: [], positionGaps: [], tailUnverified: false });
  });
});

describe('verify against signed checkpoints, the log hashed in batches', () => {
  // Batches of four records: a full batch is folded by its subtree's root, unless a checkpoint ends inside it.
  const batchesOfFour = { workers: 0, from: 0, batchBits: 2 };

  it('matches checkpoints at the ends of batches and inside them', async () => {
    for (const sizes of [
      [2, 4, 6, 8],
      [2, 8],
      // the first inside the second batch, after a first batch taken whole by its root
      [6, 8],
    ]) {
      const result = await verifyChain(iterate(log), { publicKey: key.verifierKey, checkpoints: await Promise.all(sizes.map((size) => signed(size))) }, batchesOfFour);
      expect(result.checkpoint).toMatchObject({ matches: true, checked: sizes.map((size) => ({ size, matches: true })) });
    }
  });

  it('narrows a reordering inside the second batch to the leaves after the last checkpoint that matches', async () => {
    const checkpoints = await Promise.all([4, 6, 8].map((size) => signed(size)));
    const result = await verifyChain(iterate(swapped(4, 5)), { publicKey: key.verifierKey, checkpoints }, batchesOfFour);
    expect(result.checkpoint).toMatchObject({
      matches: false,
      checked: [
        { size: 4, matches: true },
        { size: 6, matches: false },
        { size: 8, matches: false },
      ],
      firstMismatch: { reason: 'root_mismatch', range: [4, 5], checkpointSize: 6 },
    });
  });
});

describe('verify refuses checkpoints it cannot open', () => {
  it('without a key, or with an empty list of keys, naming the publicKey field', async () => {
    for (const publicKey of [undefined, []]) {
      const refused = verifyChain(iterate(log), { checkpoint: await signed(8), ...(publicKey !== undefined && { publicKey }) });
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({ code: 'VALIDATION_FAILED', what: 'publicKey', issues: [{ path: 'publicKey', message: 'is needed to open a checkpoint' }] });
    }
  });

  it('of another log than the one expected, naming both origins', async () => {
    const elsewhere = await signed(8, log, 'custodian.example/elsewhere');
    const refused = verify(log, { checkpoints: [await signed(8), elsewhere] });
    await expect(refused).rejects.toBeInstanceOf(CheckpointOriginError);
    await expect(refused).rejects.toMatchObject({
      code: 'CHECKPOINT_ORIGIN',
      expected: ORIGIN,
      actual: 'custodian.example/elsewhere',
      message: `a checkpoint is for the log "custodian.example/elsewhere", not "${ORIGIN}"`,
    });
    await expect(verify(log, { checkpoint: await signed(8), origin: 'custodian.example/elsewhere' })).rejects.toMatchObject({
      expected: 'custodian.example/elsewhere',
      actual: ORIGIN,
    });
    expect((await verify(log, { checkpoint: await signed(8), origin: ORIGIN })).checkpoint?.matches).toBe(true);
  });
});

describe('the prefix check, fed batches hashed elsewhere', () => {
  const leaves = (count: number) => Buffer.concat(log.slice(0, count).map((r) => leafHash(leafDataOfRecord(r.data))));
  const unused = Buffer.alloc(4 * 32);

  it("takes a batch whole by its subtree's root when a checkpoint ends at its last leaf, never hashing its leaves again", () => {
    // Given a checkpoint of four leaves, and a batch of exactly those four whose leaf hashes are not looked at
    const check = createPrefixCheck([{ origin: ORIGIN, size: 4, root: rootOf(log, 4) }]);
    // When the batch comes with its subtree's root and junk in place of its leaf hashes
    check.addHashed(4, unused, { height: 2, root: rootOf(log, 4) }, undefined);
    // Then the root alone settles it
    expect(check.result()).toMatchObject({ matches: true, size: 4, uncovered: 0 });
  });

  it("folds a batch leaf by leaf when a checkpoint ends inside it, its subtree's root given or not", () => {
    const check = createPrefixCheck([{ origin: ORIGIN, size: 6, root: rootOf(log, 6) }]);
    check.addHashed(4, leaves(4), { height: 2, root: rootOf(log, 4) }, undefined);
    check.addHashed(4, leaves(8).subarray(4 * 32), { height: 2, root: Buffer.alloc(32) }, undefined);
    expect(check.result()).toMatchObject({ matches: true, size: 6, uncovered: 2 });
  });
});
