import { openSnapshot, sealSnapshot } from '../snapshots';
import type { EventStore } from '../store';
import type { StreamCache } from './stream-cache';
import { holdsRecord } from './stream-fold';
import type { FolderSnapshots, Loaded } from './stream-folder';

/** Saves waiting for a slow snapshot store past this many are dropped: a snapshot only saves work. */
const MAX_PENDING_SAVES = 256;

export interface SnapshotKeeper<S> {
  /** Seals and saves the stream as loaded, after the decision under way has returned. */
  save(stream: string, loaded: Loaded<S>): void;
  /**
   * The stream folded from its snapshot; 'rejected' for a snapshot unfit to use (its MAC,
   * stream or codec wrong, or its record not in the store with its hash) or a snapshot store
   * that failed; undefined when there is none.
   */
  restore(stream: string): Promise<{ loaded: Loaded<S>; snapshotAt: bigint } | 'rejected' | undefined>;
}

export function createSnapshotKeeper<S>(
  store: EventStore,
  cache: StreamCache<Loaded<unknown>>,
  snapshots: FolderSnapshots<S>,
  fold: (stream: string, from: Loaded<S>) => Promise<Loaded<S>>,
): SnapshotKeeper<S> {
  let pending = 0;
  let saving: Promise<void> = Promise.resolve();
  return {
    save(stream, loaded) {
      if (pending >= MAX_PENDING_SAVES) return cache.count('snapshotSaveFailures');
      const revision = loaded.revision as bigint;
      pending++;
      // States are never changed in place, and the id set only grows past the revision, so
      // what is sealed later is the stream at `revision`.
      saving = saving
        .then(async () => {
          const sealed = sealSnapshot({ stream, revision, hash: loaded.lastHash, ids: loaded.ids, state: loaded.state }, snapshots.codec, snapshots.secret);
          await snapshots.store.save(stream, sealed);
          cache.count('snapshotSaves');
        })
        .catch(() => cache.count('snapshotSaveFailures'))
        .finally(() => pending--);
    },
    async restore(stream) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = await snapshots.store.load(stream);
      } catch {
        return 'rejected';
      }
      if (bytes === undefined) return undefined;
      const opened = openSnapshot(bytes, { stream, codec: snapshots.codec, secret: snapshots.secret });
      if (!opened.ok || !(await holdsRecord(store, stream, opened.snapshot))) return 'rejected';
      const { snapshot } = opened;
      const loaded = await fold(stream, { state: snapshot.state, revision: snapshot.revision, lastHash: snapshot.hash, ids: snapshot.ids });
      return { loaded, snapshotAt: snapshot.revision };
    },
  };
}
