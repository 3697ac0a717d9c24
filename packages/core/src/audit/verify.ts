import { checkLink, GENESIS_HASH, holdsId, streamMember } from '../crypto';
import { EventIdSet } from '../events';
import type { EventStore, RecordedEvent } from '../store';

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

export interface VerifyResult {
  readonly ok: boolean;
  readonly checked: number;
  /** The first broken link of each broken stream, in global order. */
  readonly broken: readonly BrokenLink[];
}

export interface VerifyOptions {
  /** Called every `every` events with the count checked so far (progress bars). */
  onProgress?: (checked: number) => void;
}

/**
 * Walks every stream's chain in global order: each record's own hash must match its
 * bytes, it must name the stream it is stored in, its `prevHash` must be the hash of the
 * record before it in its stream, revisions must follow one another, and its id must be
 * its own and seen nowhere before in the log. Past a stream's first broken link nothing
 * more of that stream can be trusted, so only the first is reported.
 */
export async function verifyChain(store: EventStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  const heads = new Map<string, Head>();
  // Every id read, even in a broken stream, so that a later copy of it is seen as one.
  const ids = new EventIdSet();
  const broken: BrokenLink[] = [];
  let checked = 0;
  for await (const record of store.readAll()) {
    checked++;
    if (options.onProgress && checked % 10_000 === 0) options.onProgress(checked);
    let head = heads.get(record.stream);
    if (head === undefined) {
      head = { member: streamMember(record.stream), hash: GENESIS_HASH, next: 0n, broken: false };
      heads.set(record.stream, head);
    }
    const repeated = ids.add(record.id, 0) !== undefined;
    if (head.broken) continue;
    const reason = advance(head, record) ?? (repeated ? 'duplicate_id' : undefined);
    if (reason !== undefined) {
      broken.push({ stream: record.stream, revision: record.revision, position: record.position, eventId: record.id, reason });
      head.broken = true;
    }
  }
  options.onProgress?.(checked);
  return { ok: broken.length === 0, checked, broken };
}

/** Where a stream's chain stands: the hash the next record must link to, and its revision. */
interface Head {
  /** What its records must name (see `streamMember`). */
  readonly member: Buffer;
  hash: string;
  next: bigint;
  broken: boolean;
}

/** Moves the stream's head past the record, or says why the record does not link to it. */
function advance(head: Head, record: RecordedEvent): BrokenLink['reason'] | undefined {
  const link = checkLink(record.data, head.member, head.hash);
  if ('reason' in link && link.reason !== 'prev_hash_mismatch') return link.reason;
  if (record.revision !== head.next) return 'revision_gap';
  if ('reason' in link) return link.reason;
  if (!holdsId(record.data, record.id)) return 'id_mismatch';
  head.hash = link.hash;
  head.next = record.revision + 1n;
  return undefined;
}
