import { checkRecord, GENESIS_HASH } from '../crypto';
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
  const heads = new Map<string, { hash: string; revision: bigint } | null>();
  const broken: BrokenLink[] = [];
  let checked = 0;
  for await (const record of store.readAll()) {
    checked++;
    if (options.onProgress && checked % 10_000 === 0) options.onProgress(checked);
    const head = heads.get(record.stream);
    if (head === null) continue;
    const reason = checkLink(record, head);
    if (typeof reason === 'string') {
      broken.push({ stream: record.stream, revision: record.revision, position: record.position, eventId: record.id, reason });
      heads.set(record.stream, null);
    } else heads.set(record.stream, reason);
  }
  options.onProgress?.(checked);
  return { ok: broken.length === 0, checked, broken };
}

/** The record's new chain head, or why it does not link to `head`. */
function checkLink(record: RecordedEvent, head: { hash: string; revision: bigint } | undefined): { hash: string; revision: bigint } | BrokenLink['reason'] {
  const check = checkRecord(record.data);
  if (!check.ok) return check.reason;
  if (record.revision !== (head ? head.revision + 1n : 0n)) return 'revision_gap';
  if (check.prevHash !== (head?.hash ?? GENESIS_HASH)) return 'prev_hash_mismatch';
  const bytes = Buffer.isBuffer(record.data) ? record.data : Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
  if (!bytes.includes(`"id":"${record.id}"`)) return 'id_mismatch';
  return { hash: check.hash, revision: record.revision };
}
