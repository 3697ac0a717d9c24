import { checkRecord, streamMember } from '../crypto';
import { events, TamperedStreamError, type CustodianEvent } from '../events';
import { StreamNotFoundError, type EventStore } from '../store';
import type { Loaded } from './stream-folder';

/**
 * Reads and folds the stream's events after `from`. Each record read is checked against its
 * hash, the stream it names and its link to the one before (the first to `from`'s hash), and
 * its id must not repeat one of the stream's: a `TamperedStreamError` otherwise.
 */
export async function foldAfter<S>(store: EventStore, evolve: (state: S, event: CustodianEvent) => S, stream: string, from: Loaded<S>): Promise<Loaded<S>> {
  let loaded = from;
  const fromRevision = loaded.revision === 'no_stream' ? 0n : loaded.revision + 1n;
  const member = streamMember(stream);
  try {
    for await (const record of store.readStream(stream, { fromRevision })) {
      const check = checkRecord(record.data, member);
      if (!check.ok || check.prevHash !== loaded.lastHash) throw new TamperedStreamError(stream, record.revision, check.ok ? 'prev_hash_mismatch' : check.reason);
      const event = events.decode(record.data);
      const revision = Number(record.revision);
      const seenAt = loaded.ids.add(event.id, revision);
      if (seenAt !== undefined && seenAt !== revision) throw new TamperedStreamError(stream, record.revision, 'duplicate_id');
      loaded = { state: evolve(loaded.state, event), revision: record.revision, lastHash: event.hash, ids: loaded.ids };
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return loaded;
}

/** Whether the store holds, at `at.revision`, a sound record of the stream whose hash is `at.hash`. */
export async function holdsRecord(store: EventStore, stream: string, at: { readonly revision: bigint; readonly hash: string }): Promise<boolean> {
  try {
    for await (const record of store.readStream(stream, { fromRevision: at.revision, maxCount: 1 })) {
      const check = checkRecord(record.data, streamMember(stream));
      return check.ok && record.revision === at.revision && check.hash === at.hash;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return false;
}
