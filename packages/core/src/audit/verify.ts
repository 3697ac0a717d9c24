import { availableParallelism } from 'node:os';
import { GENESIS_HEX, linkCheck, streamName, type StreamName } from '../crypto';
import { readLog, type EventStore, type RecordedEvent, type ScannedRecord } from '../store';
import { createBatchQueue, type Batch } from './batch-queue';
import { IdDigestSet } from './id-digests';
import { ID_MISMATCH, LEAF_UNREADABLE, packedId, RECORD_HASH_MISMATCH, RECORD_MALFORMED, type Hashed } from './record-batch';
import { createPrefixCheck, openCheckpoints, type CheckpointCheck, type CheckpointKeys, type CheckpointNote } from './checkpoints';

export interface BrokenLink {
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  /**
   * `stream_mismatch`: the record names another stream than the one it is stored in (copied
   * or moved there); `duplicate_id`: its id was already seen earlier in the log.
   */
  readonly reason: 'malformed' | 'hash_mismatch' | 'stream_mismatch' | 'prev_hash_mismatch' | 'revision_gap' | 'id_mismatch' | 'duplicate_id';
}

/** Positions the store promises to be gap-free are missing: rows were deleted from storage. */
export interface PositionGap {
  readonly reason: 'position_gap';
  /** The first position missing. */
  readonly position: bigint;
  /** How many positions are missing from there. */
  readonly missing: bigint;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly checked: number;
  /** The first broken link of each broken stream, in global order. */
  readonly broken: readonly BrokenLink[];
  /** Gaps in the global positions, for a store whose positions have none (`positionsGapFreeFrom`); empty otherwise. */
  readonly positionGaps: readonly PositionGap[];
  /** The log checked against the signed checkpoints given, if any. */
  readonly checkpoint?: CheckpointCheck;
  /**
   * True when no checkpoint was given: per-stream chains cannot see the latest events of
   * a stream, or a whole stream, removed, so that removal cannot be ruled out.
   */
  readonly tailUnverified: boolean;
}

export interface VerifyOptions {
  /** Called every `every` events with the count checked so far (progress bars). */
  onProgress?: (checked: number) => void;
  /** A signed checkpoint an outsider holds (the note text); needs `publicKey`. */
  checkpoint?: CheckpointNote;
  /**
   * More signed checkpoints of the same log (a publisher's or witness's folder): the log
   * is checked against each, and a mismatch is narrowed to the range between the last
   * that matches and the first that does not.
   */
  checkpoints?: readonly CheckpointNote[];
  /** The verifier key(s) the checkpoints must be signed by (`name+hexid+base64`). */
  publicKey?: CheckpointKeys;
  /** The log's expected origin; by default the first checkpoint's. */
  origin?: string;
  /**
   * The store's `positionsGapFreeFrom`, when the records are its whole log: a missing
   * position is then a deleted record. Leave it out for a part of the log (one stream).
   * `verifyStore` takes it from the store.
   */
  positionsGapFreeFrom?: bigint | undefined;
  /**
   * Called with each record's bytes as the walk reads them, once a record: how a caller
   * counts the log in the same single pass. The bytes may be a view of the store's own:
   * read them during the call, never keep or change them.
   */
  onRecord?: (data: Uint8Array) => void;
}

/**
 * The ids a walk has read: exactly, where `add` says whether the id was read before, or as
 * digests (taken with each batch's digests), where a digest read before makes a suspect for a
 * second read to confirm.
 */
type SeenIds = { readonly exact: true; add(id: string): boolean } | { readonly exact: false; readonly digests: IdDigestSet };

/**
 * How a walk spreads its digests over threads. Records are checked in batches of
 * 2^batchBits, so that each full batch is a perfect subtree of the log's tree, whose root a
 * worker folds; the first `from` records are hashed on the calling thread, so that a small
 * log (one subject's stream, a test's) pays no worker's start.
 */
export interface Parallelism {
  /** Worker threads to hash with once past `from`; 0 hashes everything on the calling thread. */
  readonly workers: number;
  readonly from: number;
  readonly batchBits: number;
}

/** Two cores or more: as many workers, the calling thread packing the batches and checking the links meanwhile. */
export const PARALLELISM: Parallelism = { workers: availableParallelism() > 1 ? availableParallelism() : 0, from: 1 << 16, batchBits: 12 };

const MIN_BATCH_BITS = 4;

/**
 * The parallelism for a chain whose length is known before it is read (one subject's
 * stream): batches no larger than it, since each batch's buffers are made for its full size
 * (4 MiB at 2^12 records), which a page of fifty records paid for on every view.
 */
export function parallelismFor(count: number): Parallelism {
  const bits = Math.ceil(Math.log2(Math.max(count, 1)));
  return { ...PARALLELISM, batchBits: Math.min(PARALLELISM.batchBits, Math.max(MIN_BATCH_BITS, bits)) };
}

/**
 * Walks every stream's chain in global order: each record's own hash must match its
 * bytes, it must name the stream it is stored in, its `prevHash` must be the hash of the
 * record before it in its stream, revisions must follow one another, and its id must be
 * its own and seen nowhere before in the records. Past a stream's first broken link nothing
 * more of that stream can be trusted, so only the first is reported. With checkpoints, the
 * same single read also hashes the log's tree and compares its roots with theirs.
 *
 * The records are the whole log in global order (`store.readAll()`) or any part of it (one
 * subject's stream). Their ids are held as they are: for a store's whole log `verifyStore`
 * reads faster and holds the ids in a tenth of the memory.
 */
export async function verifyChain(records: AsyncIterable<RecordedEvent>, options: VerifyOptions = {}, parallelism: Parallelism = PARALLELISM): Promise<VerifyResult> {
  const read = new Set<string>();
  const ids: SeenIds = {
    exact: true,
    add(id) {
      const seen = read.has(id);
      read.add(id);
      return seen;
    },
  };
  const run = startRun(options, options.positionsGapFreeFrom, ids, parallelism);
  const view: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', data: new Uint8Array(0), streamNumber: -1 };
  try {
    let count = 0;
    for await (const record of records) {
      view.stream = record.stream;
      view.revision = Number(record.revision);
      view.position = Number(record.position);
      view.id = record.id;
      view.data = record.data;
      run.visit(view);
      if (++count % BETWEEN === 0) await run.between();
    }
    await run.walk.finish();
  } finally {
    await run.walk.close();
  }
  return run.finish(run.walk.repeats);
}

/** verifyChain over a store's whole log, read in place where the store allows (no copy per record), with ids held as digests. */
export function verifyStore(store: EventStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  return verifyLog(store, options, new IdDigestSet());
}

/** verifyStore with the id digests and the threads given: tests hand it a set whose digests collide, or workers from the first record. */
export async function verifyLog(store: EventStore, options: VerifyOptions, digests: IdDigestSet, parallelism: Parallelism = PARALLELISM): Promise<VerifyResult> {
  const run = startRun(options, options.positionsGapFreeFrom ?? store.positionsGapFreeFrom, { exact: false, digests }, parallelism);
  try {
    await readLog(store, { between: run.between, idsAsBytes: true }, (record) => run.visit(record));
    await run.walk.finish();
  } finally {
    await run.walk.close();
  }
  const { walk } = run;
  return run.finish(walk.suspects.length === 0 ? [] : await confirmRepeats(store, walk.checked, walk.suspects, digests));
}

/** How often a walk over an iterable lets its batches in flight be taken in. */
const BETWEEN = 8_192;

function startRun(options: VerifyOptions, gapFreeFrom: bigint | undefined, ids: SeenIds, parallelism: Parallelism) {
  const notes = [...(options.checkpoint !== undefined ? [options.checkpoint] : []), ...(options.checkpoints ?? [])];
  // Every signature is checked before the log is read: a forged checkpoint proves nothing.
  const prefix = notes.length > 0 ? createPrefixCheck(openCheckpoints(notes, options.publicKey, options.origin)) : undefined;
  const onChecked = options.onProgress ? (checked: number) => checked % 10_000 === 0 && options.onProgress?.(checked) : undefined;
  const walk = createWalk(gapFreeFrom, prefix, ids, parallelism, onChecked);
  return {
    walk,
    visit(record: ScannedRecord): void {
      walk.visit(record);
      options.onRecord?.(record.data);
    },
    between: () => walk.drain(),
    finish(repeats: readonly BrokenLink[]): VerifyResult {
      options.onProgress?.(walk.checked);
      const broken = firstPerStream([...walk.broken, ...repeats]);
      const checkpoint = prefix?.result();
      const positionGaps = walk.gaps?.gaps ?? [];
      const ok = broken.length === 0 && positionGaps.length === 0 && (checkpoint?.matches ?? true);
      return { ok, checked: walk.checked, broken, positionGaps, ...(checkpoint && { checkpoint }), tailUnverified: checkpoint === undefined };
    },
  };
}

/** What a record's checks found before its digest was taken, by the reason they report (0: nothing). */
const LINK_FAULTS = [undefined, 'malformed', 'stream_mismatch', 'revision_gap', 'prev_hash_mismatch'] as const;
type LinkFaultCode = 0 | 1 | 2 | 3 | 4;
/** The record is in a stream that broke before it in the batches read so far: it is not checked. */
const PAST_A_BREAK = 5;

/**
 * The walk over the log, one record at a time. It checks each record's links as it reads it
 * (its stream, its prevHash against the stored hash of the record before it, its revision,
 * its id) and packs its bytes into a batch; the batch's digests (each record's own hash, its
 * leaf hash, the batch's subtree) are taken on worker threads past the first `from` records,
 * while the next batches are read. Results are taken in read order: a record's hash mismatch
 * outranks its link faults, as in checkLink's order, and a stream is broken from its first
 * record found at fault. Stream heads sit in typed arrays and ids as digests, so that ten
 * million events over a million streams are checked in a few hundred megabytes; a record is
 * never parsed.
 */
function createWalk(
  gapFreeFrom: bigint | undefined,
  prefix: ReturnType<typeof createPrefixCheck> | undefined,
  ids: SeenIds,
  parallelism: Parallelism,
  onChecked: ((checked: number) => void) | undefined,
) {
  const gaps = createGapCheck(gapFreeFrom);
  const heads = createHeads();
  const broken: BrokenLink[] = [];
  /**
   * Records whose id was read before, when ids are held exactly: kept apart from `broken` and
   * ranked after it, as a confirmed suspect is, so that a repeated id found in a record that is
   * also at fault in its own bytes or links gives way to that fault on both paths.
   */
  const repeats: BrokenLink[] = [];
  /** Records whose id digest was seen before: repeats, unless a second read finds the ids differ. */
  const suspects: BrokenLink[] = [];
  const batches = createBatchQueue(parallelism, ids.exact ? undefined : ids.digests.mask, settle);
  const size = 2 ** parallelism.batchBits;

  /** The faults found without the digest, in checkLink's order after the record's own; the head moves past a record found at none. */
  function checkLinks(head: number, record: ScannedRecord): LinkFaultCode {
    const fault = linkCheck.fault(record.data, heads.name(head), heads.hashes, head * HEX_BYTES);
    if (fault === 'malformed') return 1;
    if (fault === 'stream_mismatch') return 2;
    if (record.revision !== heads.next[head]) return 3;
    if (fault === 'prev_hash_mismatch') return 4;
    linkCheck.keep(record.data, heads.hashes, head * HEX_BYTES);
    heads.next[head] = record.revision + 1;
    return 0;
  }

  function settle(packed: Batch, hashed: Hashed): void {
    let firstUnreadable: number | undefined;
    for (let i = 0; i < packed.count; i++) {
      walk.checked++;
      const head = packed.heads[i] as number;
      const status = hashed.status[i] as number;
      if (firstUnreadable === undefined && (status & LEAF_UNREADABLE) !== 0) firstUnreadable = i;
      // Every id read, even in a broken stream, so that a later copy of it is seen as one.
      if (!ids.exact && ids.digests.addDigest(hashed.digests?.[2 * i] as number, hashed.digests?.[2 * i + 1] as number))
        suspects.push(brokenLink(head, packed, hashed, i, 'duplicate_id'));
      if (heads.broken[head] === 0) {
        const own = status & (RECORD_MALFORMED | RECORD_HASH_MISMATCH);
        const links = LINK_FAULTS[packed.faults[i] as LinkFaultCode] ?? ((status & ID_MISMATCH) !== 0 ? 'id_mismatch' : undefined);
        const reason = own === RECORD_MALFORMED ? 'malformed' : own === RECORD_HASH_MISMATCH ? 'hash_mismatch' : links;
        if (reason !== undefined) {
          broken.push(brokenLink(head, packed, hashed, i, reason));
          heads.broken[head] = 1;
        }
      }
      onChecked?.(walk.checked);
    }
    prefix?.addHashed(packed.count, hashed.leafHashes, packed.count === size && hashed.root ? { height: parallelism.batchBits, root: hashed.root } : undefined, firstUnreadable);
  }

  function brokenLink(head: number, packed: Batch, hashed: Hashed, i: number, reason: BrokenLink['reason']): BrokenLink {
    return {
      stream: heads.stream(head),
      revision: BigInt(packed.revisions[i] as number),
      position: BigInt(packed.positions[i] as number),
      eventId: packedId(hashed.buffers, i),
      reason,
    };
  }

  const walk = {
    checked: 0,
    gaps,
    broken,
    repeats,
    suspects,
    visit(record: ScannedRecord): void {
      gaps?.add(record.position);
      const head = heads.of(record.stream, record.streamNumber);
      if (ids.exact && ids.add(record.id))
        repeats.push({ stream: record.stream, revision: BigInt(record.revision), position: BigInt(record.position), eventId: record.id, reason: 'duplicate_id' });
      let fault: number = PAST_A_BREAK;
      if (heads.ahead[head] === 0) {
        fault = checkLinks(head, record);
        if (fault !== 0) heads.ahead[head] = 1;
      }
      batches.add(record, head, fault);
    },
    drain: () => batches.drain(),
    finish: () => batches.finish(),
    close: () => batches.close(),
  };
  return walk;
}

/**
 * Reads the log again up to where the walk stopped, comparing the ids whose digests came
 * up twice: a suspect is a repeat only if its very id was read before it.
 */
async function confirmRepeats(store: EventStore, checked: number, suspects: readonly BrokenLink[], ids: IdDigestSet): Promise<BrokenLink[]> {
  const keys = new Set(suspects.map((suspect) => ids.key(suspect.eventId)));
  const suspectAt = new Map(suspects.map((suspect) => [suspect.position, suspect]));
  const seen = new Set<string>();
  const repeats: BrokenLink[] = [];
  await readLog(store, { maxCount: checked }, (record) => {
    if (!keys.has(ids.key(record.id))) return;
    const suspect = suspectAt.get(BigInt(record.position));
    if (seen.has(record.id) && suspect !== undefined && suspect.eventId === record.id) repeats.push(suspect);
    seen.add(record.id);
  });
  return repeats;
}

/**
 * The earliest broken link of each stream, in global order: a confirmed repeat may come before a break the walk went on to find.
 * At one record the first link given wins: `links` lists the walk's own findings before the repeats.
 */
function firstPerStream(links: readonly BrokenLink[]): BrokenLink[] {
  const first = new Map<string, BrokenLink>();
  for (const link of links) {
    const held = first.get(link.stream);
    if (held === undefined || link.position < held.position) first.set(link.stream, link);
  }
  // Positions are distinct across streams: the difference's sign is the order.
  return [...first.values()].sort((a, b) => Number(a.position - b.position));
}

/** Follows the positions of a store that promises no gap, from its first; undefined for other stores. */
function createGapCheck(first: bigint | undefined) {
  if (first === undefined) return undefined;
  const gaps: PositionGap[] = [];
  let expected = Number(first);
  return {
    gaps,
    add(position: number): void {
      if (position > expected) gaps.push({ reason: 'position_gap', position: BigInt(expected), missing: BigInt(position - expected) });
      expected = position + 1;
    },
  };
}

const HEX_BYTES = 64;

/**
 * Where each stream's chain stands, by a number per stream: the hash the next record must
 * link to (the 64 hex digits of the last record's hash member; the genesis hash at first),
 * its revision, whether a record was found at fault in its links as read (`ahead`) and
 * whether it broke once the digests came in. What its records must name is the stream
 * itself, kept apart only for a name JSON escapes (see `streamName`).
 */
function createHeads() {
  const numbers = new Map<string, number>();
  /** Head + 1 by the store's stream number (0: not met yet). */
  let byNumber = new Int32Array(1024);
  const streams: string[] = [];
  const heads = {
    hashes: new Uint8Array(HEX_BYTES * 1024),
    next: new Float64Array(1024),
    ahead: new Uint8Array(1024),
    broken: new Uint8Array(1024),
    names: [] as StreamName[],
    of(stream: string, streamNumber: number): number {
      if (streamNumber >= 0 && streamNumber < byNumber.length && byNumber[streamNumber] !== 0) return (byNumber[streamNumber] as number) - 1;
      const known = numbers.get(stream);
      if (known !== undefined) return known;
      const head = numbers.size;
      if (streamNumber >= 0) {
        if (streamNumber >= byNumber.length) byNumber = copyInto(byNumber, new Int32Array(Math.max(2 * byNumber.length, streamNumber + 1)));
        byNumber[streamNumber] = head + 1;
      }
      if (head === heads.next.length) grow();
      numbers.set(stream, head);
      streams.push(stream);
      heads.names.push(streamName(stream));
      heads.hashes.set(GENESIS_HEX, head * HEX_BYTES);
      return head;
    },
    name(head: number): StreamName {
      return heads.names[head] as StreamName;
    },
    stream(head: number): string {
      return streams[head] as string;
    },
  };
  function grow(): void {
    const size = heads.next.length * 2;
    heads.hashes = copyInto(heads.hashes, new Uint8Array(size * HEX_BYTES));
    heads.next = copyInto(heads.next, new Float64Array(size));
    heads.ahead = copyInto(heads.ahead, new Uint8Array(size));
    heads.broken = copyInto(heads.broken, new Uint8Array(size));
  }
  return heads;
}

function copyInto<T extends Uint8Array | Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
