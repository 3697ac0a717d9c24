import { GENESIS_HASH } from '../crypto';
import { EventIdSet, type CustodianEvent } from '../events';
import type { SnapshotStore, StateCodec } from '../snapshots';
import type { EventStore } from '../store';
import { createSnapshotKeeper } from './snapshot-keeper';
import { approximateBytes, createStreamCache, type CacheEntry, type StreamCache } from './stream-cache';
import { foldAfter } from './stream-fold';

/** A stream folded up to a revision: what a decision is made on, and what its append expects. */
export interface Loaded<S> {
  readonly state: S;
  readonly revision: bigint | 'no_stream';
  /** The hash the next event of the stream links to. */
  readonly lastHash: string;
  /**
   * The ids of the stream's events, each with its revision. Shared by the states of one
   * stream: a concurrent load that reads a record again finds it at its own revision.
   */
  readonly ids: EventIdSet;
}

export interface StreamFolder<S> {
  load(stream: string): Promise<Loaded<S>>;
  /**
   * The state last loaded or advanced, without reading the store: it may be behind. Only for
   * a decision appended with `revision` expected, which a newer event makes fail (then load).
   */
  cached(stream: string): Loaded<S> | undefined;
  /** Records what was just appended, so the next load reads only what others wrote since. */
  advance(stream: string, from: Loaded<S>, appended: readonly CustodianEvent[], revision: bigint): Loaded<S>;
}

/** Where a folder keeps its streams' snapshots, and how often: every `every` events of a stream. */
export interface FolderSnapshots<S> {
  readonly store: SnapshotStore;
  readonly secret: Uint8Array;
  readonly every: number;
  readonly codec: StateCodec<S>;
}

export interface FolderOptions<S> {
  /**
   * Shared by the folders of one ledger. Subject and recipient streams are named apart
   * (`subject-…`, `recipient-…`) and each folder reads only its own kind, so an entry is
   * only ever read back by the folder that put it.
   */
  readonly cache?: StreamCache<Loaded<unknown>>;
  readonly snapshots?: FolderSnapshots<S> | undefined;
}

/** Per event id held: 16 bytes of key and a tag, in a table at most half full. */
const BYTES_PER_ID = 48;

const fresh = <S>(initial: S): Loaded<S> => ({ state: initial, revision: 'no_stream', lastHash: GENESIS_HASH, ids: new EventIdSet() });

/**
 * Folds streams with `evolve`, keeping folded states in the ledger's cache. A load resumes
 * from the revision it knows and reads only newer events, so a cached state is never
 * stale: whatever another writer appended is read and folded before deciding. Each
 * record read is checked against its hash, the stream it names and its link, and its id
 * must not repeat one of the stream's, so no decision rests on a record that was changed,
 * copied or moved in storage.
 *
 * A stream not in the cache starts from its snapshot, when there is one that opens under
 * the ledger's secret for this stream and whose record is still in the store with the
 * snapshot's hash: only the events after it are read, each linked to the one before as
 * always. Any other snapshot is counted as rejected and the stream is folded from its first
 * event, as if there were none: a snapshot saves work, it never decides.
 */
export function createStreamFolder<S>(store: EventStore, initial: S, evolve: (state: S, event: CustodianEvent) => S, options: FolderOptions<S> = {}): StreamFolder<S> {
  const cache = options.cache ?? createStreamCache<Loaded<unknown>>();
  const snapshots = options.snapshots;
  const fold = (stream: string, from: Loaded<S>) => foldAfter(store, evolve, stream, from);
  const keeper = snapshots && createSnapshotKeeper(store, cache, snapshots, fold);
  const weights = new WeakMap<object, number>();
  const weigh = (stream: string, loaded: Loaded<S>): number => {
    // A decision that leaves the state as it was (most uses) costs no walk of it.
    const key = loaded.state as object;
    let state = typeof key === 'object' && key !== null ? weights.get(key) : undefined;
    if (state === undefined) {
      state = approximateBytes(loaded.state);
      if (typeof key === 'object' && key !== null) weights.set(key, state);
    }
    return 64 + stream.length + state + BYTES_PER_ID * loaded.ids.size;
  };

  // A stream leaving the cache is snapshotted if it moved since its last snapshot, so its next
  // miss in this process reads no event before the decision; `every` bounds what a restart reads.
  const evicted =
    snapshots &&
    ((stream: string, entry: CacheEntry<Loaded<unknown>>) => {
      const loaded = entry.value as Loaded<S>;
      if (loaded.revision === 'no_stream' || loaded.revision <= entry.snapshotAt) return;
      entry.snapshotAt = loaded.revision;
      keeper?.save(stream, loaded);
    });
  const remember = (stream: string, loaded: Loaded<S>, snapshotAt: bigint): Loaded<S> => {
    const entry = cache.put(stream, loaded, weigh(stream, loaded), snapshotAt, evicted);
    if (snapshots && loaded.revision !== 'no_stream' && loaded.revision - entry.snapshotAt >= BigInt(snapshots.every)) {
      entry.snapshotAt = loaded.revision;
      keeper?.save(stream, loaded);
    }
    return loaded;
  };

  return {
    async load(stream) {
      const held = cache.lookup(stream);
      if (held) return remember(stream, await fold(stream, held.value as Loaded<S>), held.snapshotAt);
      const restored = await keeper?.restore(stream);
      if (restored === 'rejected') cache.count('snapshotRejections');
      else if (restored) {
        cache.count('snapshotLoads');
        return remember(stream, restored.loaded, restored.snapshotAt);
      }
      return remember(stream, await fold(stream, fresh(initial)), -1n);
    },
    cached(stream) {
      return cache.peek(stream)?.value as Loaded<S> | undefined;
    },
    advance(stream, from, appended, revision) {
      const state = appended.reduce(evolve, from.state);
      const lastHash = appended.at(-1)?.hash ?? from.lastHash;
      const first = Number(revision) - appended.length + 1;
      appended.forEach((event, i) => from.ids.add(event.id, first + i));
      // -1n: an entry still held keeps the revision of its last snapshot.
      return remember(stream, { state, revision, lastHash, ids: from.ids }, -1n);
    },
  };
}
