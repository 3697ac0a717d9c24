import { checkLink, GENESIS_HASH, holdsId, storedHash, streamMember } from '../crypto';
import { EventIdSet } from '../events';
import type { RecordedEvent } from '../store';
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
   */
  positionsGapFreeFrom?: bigint | undefined;
}

/**
 * Walks every stream's chain in global order: each record's own hash must match its
 * bytes, it must name the stream it is stored in, its `prevHash` must be the hash of the
 * record before it in its stream, revisions must follow one another, and its id must be
 * its own and seen nowhere before in the log. Past a stream's first broken link nothing
 * more of that stream can be trusted, so only the first is reported. The records are the
 * whole log in global order (`store.readAll()`) or any part of it (one subject's stream).
 */
export async function verifyChain(records: AsyncIterable<RecordedEvent>, options: VerifyOptions = {}): Promise<VerifyResult> {
  const notes = [...(options.checkpoint !== undefined ? [options.checkpoint] : []), ...(options.checkpoints ?? [])];
  // Every signature is checked before the log is read: a forged checkpoint proves nothing.
  const prefix = notes.length > 0 ? createPrefixCheck(openCheckpoints(notes, options.publicKey, options.origin)) : undefined;
  const gaps = createGapCheck(options.positionsGapFreeFrom);
  const heads = new Map<string, Head>();
  // Every id read, even in a broken stream, so that a later copy of it is seen as one.
  const ids = new EventIdSet();
  const broken: BrokenLink[] = [];
  let checked = 0;
  for await (const record of records) {
    checked++;
    if (options.onProgress && checked % 10_000 === 0) options.onProgress(checked);
    gaps?.add(record.position);
    let head = heads.get(record.stream);
    if (head === undefined) {
      head = { member: streamMember(record.stream), hash: GENESIS_HASH, next: 0n, broken: false };
      heads.set(record.stream, head);
    }
    const repeated = ids.add(record.id, 0) !== undefined;
    // The leaf is the stored hash member: the one the chain check just recomputed when the record is intact.
    if (head.broken) {
      prefix?.add(storedHash(record.data));
      continue;
    }
    const step = advance(head, record);
    prefix?.add(step.hash ?? storedHash(record.data));
    const reason = step.reason ?? (repeated ? 'duplicate_id' : undefined);
    if (reason !== undefined) {
      broken.push({ stream: record.stream, revision: record.revision, position: record.position, eventId: record.id, reason });
      head.broken = true;
    }
  }
  options.onProgress?.(checked);
  const checkpoint = prefix?.result();
  const positionGaps = gaps?.gaps ?? [];
  const ok = broken.length === 0 && positionGaps.length === 0 && (checkpoint?.matches ?? true);
  return { ok, checked, broken, positionGaps, ...(checkpoint && { checkpoint }), tailUnverified: checkpoint === undefined };
}

/** Follows the positions of a store that promises no gap, from its first; undefined for other stores. */
function createGapCheck(first: bigint | undefined) {
  if (first === undefined) return undefined;
  const gaps: PositionGap[] = [];
  let expected = first;
  return {
    gaps,
    add(position: bigint): void {
      if (position > expected) gaps.push({ reason: 'position_gap', position: expected, missing: position - expected });
      expected = position + 1n;
    },
  };
}

/** Where a stream's chain stands: the hash the next record must link to, and its revision. */
interface Head {
  /** What its records must name (see `streamMember`). */
  readonly member: Buffer;
  hash: string;
  next: bigint;
  broken: boolean;
}

/**
 * Moves the stream's head past the record, or says why the record does not link to it;
 * with the record's hash when it matches its bytes (its leaf data, found without a second SHA-256).
 */
function advance(head: Head, record: RecordedEvent): { reason?: BrokenLink['reason']; hash?: string } {
  const link = checkLink(record.data, head.member, head.hash);
  if ('reason' in link && link.reason !== 'prev_hash_mismatch') return { reason: link.reason };
  if (record.revision !== head.next) return { reason: 'revision_gap' };
  if ('reason' in link) return { reason: link.reason };
  if (!holdsId(record.data, record.id)) return { reason: 'id_mismatch', hash: link.hash };
  head.hash = link.hash;
  head.next = record.revision + 1n;
  return { hash: link.hash };
}
