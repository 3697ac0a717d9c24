import { createLinkWalker, holdsId, readStoredHash, streamName, type StreamName } from '../crypto';
import { readLog, type EventStore, type RecordedEvent, type ScannedRecord } from '../store';
import { IdDigestSet } from './id-digests';
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

/** The ids a walk has read: `add` says whether the id (or, for digests, one sharing its digest) was read before. */
interface SeenIds {
  add(id: string): boolean;
  /** True when a repeat is certain; otherwise it is a suspect for a second read to confirm. */
  readonly exact: boolean;
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
export async function verifyChain(records: AsyncIterable<RecordedEvent>, options: VerifyOptions = {}): Promise<VerifyResult> {
  const read = new Set<string>();
  const ids: SeenIds = {
    exact: true,
    add(id) {
      const seen = read.has(id);
      read.add(id);
      return seen;
    },
  };
  const run = startRun(options, options.positionsGapFreeFrom, ids);
  const view: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', data: new Uint8Array(0) };
  for await (const record of records) {
    view.stream = record.stream;
    view.revision = Number(record.revision);
    view.position = Number(record.position);
    view.id = record.id;
    view.data = record.data;
    run.visit(view);
  }
  return run.finish([]);
}

/** verifyChain over a store's whole log, read in place where the store allows (no copy per record), with ids held as digests. */
export function verifyStore(store: EventStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  return verifyLog(store, options, new IdDigestSet());
}

/** verifyStore with the id digests given: tests hand it a set whose digests collide. */
export async function verifyLog(store: EventStore, options: VerifyOptions, digests: IdDigestSet): Promise<VerifyResult> {
  const run = startRun(options, options.positionsGapFreeFrom ?? store.positionsGapFreeFrom, { exact: false, add: (id) => digests.add(id) });
  await readLog(store, {}, (record) => run.visit(record));
  const { walk } = run;
  return run.finish(walk.suspects.length === 0 ? [] : await confirmRepeats(store, walk.checked, walk.suspects, digests));
}

function startRun(options: VerifyOptions, gapFreeFrom: bigint | undefined, ids: SeenIds) {
  const notes = [...(options.checkpoint !== undefined ? [options.checkpoint] : []), ...(options.checkpoints ?? [])];
  // Every signature is checked before the log is read: a forged checkpoint proves nothing.
  const prefix = notes.length > 0 ? createPrefixCheck(openCheckpoints(notes, options.publicKey, options.origin)) : undefined;
  const walk = createWalk(gapFreeFrom, prefix, ids);
  return {
    walk,
    visit(record: ScannedRecord): void {
      walk.visit(record);
      options.onRecord?.(record.data);
      if (options.onProgress && walk.checked % 10_000 === 0) options.onProgress(walk.checked);
    },
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

/**
 * The walk over the log, one record at a time. Stream heads sit in typed arrays and ids as
 * digests, so that ten million events over a million streams are checked in a few hundred
 * megabytes; a record is read in place, never parsed or copied.
 */
function createWalk(gapFreeFrom: bigint | undefined, prefix: ReturnType<typeof createPrefixCheck> | undefined, ids: SeenIds) {
  const gaps = createGapCheck(gapFreeFrom);
  const heads = createHeads();
  const link = createLinkWalker();
  const leaf = new Uint8Array(32);
  const broken: BrokenLink[] = [];
  /** Records whose id digest was seen before: repeats, unless a second read finds the ids differ. */
  const suspects: BrokenLink[] = [];
  const walk = {
    checked: 0,
    gaps,
    broken,
    suspects,
    visit(record: ScannedRecord): void {
      walk.checked++;
      gaps?.add(record.position);
      const head = heads.of(record.stream);
      // Every id read, even in a broken stream, so that a later copy of it is seen as one.
      if (ids.add(record.id)) (ids.exact ? broken : suspects).push(brokenLink(record, 'duplicate_id'));
      if (heads.broken[head] === 1) {
        if (prefix) prefix.add(readStoredHash(record.data, leaf, 0) ? leaf : undefined);
        return;
      }
      const reason = advance(heads, head, link, record);
      // The leaf is the stored hash member: the one the chain check just recomputed when the record is intact.
      prefix?.add(link.storedReadable ? link.stored : undefined);
      if (reason !== undefined) {
        broken.push(brokenLink(record, reason));
        heads.broken[head] = 1;
      }
    },
  };
  return walk;
}

const brokenLink = (record: ScannedRecord, reason: BrokenLink['reason']): BrokenLink => ({
  stream: record.stream,
  revision: BigInt(record.revision),
  position: BigInt(record.position),
  eventId: record.id,
  reason,
});

/**
 * Moves the stream's head past the record, or says why the record does not link to it.
 * Reads the record's stored hash into `link.stored` on the way (its leaf data).
 */
function advance(heads: Heads, head: number, link: ReturnType<typeof createLinkWalker>, record: ScannedRecord): BrokenLink['reason'] | undefined {
  const fault = link.check(record.data, heads.name(head), heads.hashes, head * 32);
  if (fault !== undefined && fault !== 'prev_hash_mismatch') return fault;
  if (record.revision !== heads.next[head]) return 'revision_gap';
  if (fault !== undefined) return fault;
  if (!holdsId(record.data, record.id)) return 'id_mismatch';
  heads.hashes.set(link.stored, head * 32);
  heads.next[head] = record.revision + 1;
  return undefined;
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

/** The earliest broken link of each stream, in global order: a confirmed repeat may come before a break the walk went on to find. */
function firstPerStream(links: readonly BrokenLink[]): BrokenLink[] {
  const first = new Map<string, BrokenLink>();
  for (const link of links) {
    const held = first.get(link.stream);
    if (held === undefined || link.position < held.position) first.set(link.stream, link);
  }
  return [...first.values()].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
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

type Heads = ReturnType<typeof createHeads>;

/**
 * Where each stream's chain stands, by a number per stream: the hash the next record must
 * link to (32 raw bytes; zeros, the genesis hash, at first), its revision, and whether it
 * broke. What its records must name is the stream itself, kept apart only for a name JSON
 * escapes (see `streamName`).
 */
function createHeads() {
  const numbers = new Map<string, number>();
  const heads = {
    hashes: new Uint8Array(32 * 1024),
    next: new Float64Array(1024),
    broken: new Uint8Array(1024),
    names: [] as StreamName[],
    of(stream: string): number {
      const known = numbers.get(stream);
      if (known !== undefined) return known;
      const head = numbers.size;
      if (head === heads.next.length) grow();
      numbers.set(stream, head);
      heads.names.push(streamName(stream));
      return head;
    },
    name(head: number): StreamName {
      return heads.names[head] as StreamName;
    },
  };
  function grow(): void {
    const size = heads.next.length * 2;
    heads.hashes = copyInto(heads.hashes, new Uint8Array(size * 32));
    heads.next = copyInto(heads.next, new Float64Array(size));
    heads.broken = copyInto(heads.broken, new Uint8Array(size));
  }
  return heads;
}

function copyInto<T extends Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
