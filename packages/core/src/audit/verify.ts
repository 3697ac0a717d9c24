import { asciiAt, checkLink, GENESIS_HASH } from '../crypto';
import type { EventStore, RecordedEvent } from '../store';

export interface BrokenLink {
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  readonly reason: 'malformed' | 'hash_mismatch' | 'prev_hash_mismatch' | 'revision_gap' | 'id_mismatch';
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
 * bytes, its `prevHash` must be the hash of the record before it in its stream, and
 * revisions must follow one another. Past a stream's first broken link nothing more of
 * that stream can be trusted, so only the first is reported.
 */
export async function verifyChain(store: EventStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  const heads = new Map<string, Head>();
  const broken: BrokenLink[] = [];
  let checked = 0;
  for await (const record of store.readAll()) {
    checked++;
    if (options.onProgress && checked % 10_000 === 0) options.onProgress(checked);
    let head = heads.get(record.stream);
    if (head === undefined) {
      head = { hash: GENESIS_HASH, next: 0n, broken: false };
      heads.set(record.stream, head);
    } else if (head.broken) continue;
    const reason = advance(head, record);
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
  hash: string;
  next: bigint;
  broken: boolean;
}

/** Moves the stream's head past the record, or says why the record does not link to it. */
function advance(head: Head, record: RecordedEvent): BrokenLink['reason'] | undefined {
  const link = checkLink(record.data, head.hash);
  if ('reason' in link && link.reason !== 'prev_hash_mismatch') return link.reason;
  if (record.revision !== head.next) return 'revision_gap';
  if ('reason' in link) return link.reason;
  if (!holdsId(record)) return 'id_mismatch';
  head.hash = link.hash;
  head.next = record.revision + 1n;
  return undefined;
}

const ID_MEMBER = '"id":"';
const AFTER_ID = Buffer.from('","occurredAt":"');
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Whether the record's own id is the one the store files it under. In canonical order
 * the top-level `id` member is followed by `occurredAt`, and nothing after it can hold a
 * quote, so the last `","occurredAt":"` closes the id: found from the end, no parse.
 */
function holdsId(record: RecordedEvent): boolean {
  const bytes = Buffer.isBuffer(record.data) ? record.data : Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
  const id = record.id;
  if (!ASCII.test(id)) return bytes.includes(`${ID_MEMBER}${JSON.stringify(id).slice(1, -1)}","occurredAt":"`);
  const end = bytes.lastIndexOf(AFTER_ID);
  const start = end - id.length;
  return start >= ID_MEMBER.length && asciiAt(bytes, start, id) && asciiAt(bytes, start - ID_MEMBER.length, ID_MEMBER);
}
