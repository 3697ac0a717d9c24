import { checkRecord, GENESIS_HASH, streamMember } from '../crypto';
import { EventIdSet, events, TamperedStreamError, type CustodianEvent } from '../events';
import { openSnapshot, sealSnapshot, type SnapshotStore, type StateCodec } from '../snapshots';
import { StreamNotFoundError, type EventStore } from '../store';
import { approximateBytes, createStreamCache, type CacheEntry, type StreamCache } from './stream-cache';

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

/** Saves waiting for a slow snapshot store past this many are dropped: a snapshot only saves work. */
const MAX_PENDING_SAVES = 256;
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

  let pendingSaves = 0;
  let saving: Promise<void> = Promise.resolve();
  const saveSnapshot = (stream: string, loaded: Loaded<S>, snapshots: FolderSnapshots<S>) => {
    if (pendingSaves >= MAX_PENDING_SAVES) return cache.count('snapshotSaveFailures');
    const revision = loaded.revision as bigint;
    pendingSaves++;
    // Sealed after the decision that caused it has returned; states are never changed in place,
    // and the id set only grows past the revision, so what is sealed is the stream at `revision`.
    saving = saving
      .then(async () => {
        await snapshots.store.save(stream, sealSnapshot({ stream, revision, hash: loaded.lastHash, ids: loaded.ids, state: loaded.state }, snapshots.codec, snapshots.secret));
        cache.count('snapshotSaves');
      })
      .catch(() => cache.count('snapshotSaveFailures'))
      .finally(() => pendingSaves--);
  };

  // A stream leaving the cache is snapshotted if it moved since its last snapshot, so its next
  // miss in this process reads no event before the decision; `every` bounds what a restart reads.
  const evicted =
    snapshots &&
    ((stream: string, entry: CacheEntry<Loaded<unknown>>) => {
      const loaded = entry.value as Loaded<S>;
      if (loaded.revision === 'no_stream' || loaded.revision <= entry.snapshotAt) return;
      entry.snapshotAt = loaded.revision;
      saveSnapshot(stream, loaded, snapshots);
    });
  const remember = (stream: string, loaded: Loaded<S>, snapshotAt: bigint): Loaded<S> => {
    const entry = cache.put(stream, loaded, weigh(stream, loaded), snapshotAt, evicted);
    if (snapshots && loaded.revision !== 'no_stream' && loaded.revision - entry.snapshotAt >= BigInt(snapshots.every)) {
      entry.snapshotAt = loaded.revision;
      saveSnapshot(stream, loaded, snapshots);
    }
    return loaded;
  };

  /** Reads and folds the stream's events after `from`. */
  const fold = async (stream: string, from: Loaded<S>): Promise<Loaded<S>> => {
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
  };

  /** Whether the store holds, at the snapshot's revision, a sound record of the stream with the snapshot's hash. */
  const anchored = async (stream: string, snapshot: { revision: bigint; hash: string }): Promise<boolean> => {
    try {
      for await (const record of store.readStream(stream, { fromRevision: snapshot.revision, maxCount: 1 })) {
        const check = checkRecord(record.data, streamMember(stream));
        return check.ok && record.revision === snapshot.revision && check.hash === snapshot.hash;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return false;
  };

  /**
   * The stream folded from its snapshot; 'rejected' for a snapshot unfit to use (see
   * `createStreamFolder`) or a snapshot store that failed; undefined when there is none.
   */
  const fromSnapshot = async (stream: string, snapshots: FolderSnapshots<S>): Promise<{ loaded: Loaded<S>; snapshotAt: bigint } | 'rejected' | undefined> => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await snapshots.store.load(stream);
    } catch {
      return 'rejected';
    }
    if (bytes === undefined) return undefined;
    const opened = openSnapshot(bytes, { stream, codec: snapshots.codec, secret: snapshots.secret });
    if (!opened.ok || !(await anchored(stream, opened.snapshot))) return 'rejected';
    const { snapshot } = opened;
    const loaded = await fold(stream, { state: snapshot.state, revision: snapshot.revision, lastHash: snapshot.hash, ids: snapshot.ids });
    return { loaded, snapshotAt: snapshot.revision };
  };

  return {
    async load(stream) {
      const held = cache.lookup(stream);
      if (held) return remember(stream, await fold(stream, held.value as Loaded<S>), held.snapshotAt);
      const restored = snapshots && (await fromSnapshot(stream, snapshots));
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
