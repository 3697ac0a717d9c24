import type Database from 'better-sqlite3';
import { decodeState, encodeState, events, type CheckpointStore, type CustodianEvent, type Projection, type ProjectionCheckpoint, type RecordedEvent } from '@custodian/core';
import { clearProjections } from './schema';
import type { TableWriter } from './table';

/** Events decoded and preloaded together: enough for a few reads per thousand events, few enough to stay in the young heap. */
const PRELOAD_SLICE = 1_000;

/** The analytics tables' checkpoint store, which can also say synchronously where the file's tables stand. */
export interface SqlTablesCheckpointStore extends CheckpointStore<undefined> {
  /** The position of the last event the tables reflect, as committed in the file (0n: none). */
  position(): bigint;
}

/**
 * The checkpoint of SQL tables kept by `writers`: the row `name` of projection_checkpoints
 * (made by `ensureProjectionSchema`). A commit writes the batch's rows and moves the row in
 * one IMMEDIATE transaction, so the tables reflect exactly the events up to it; one that
 * finds the row moved (another runner on the file, a rebuild) writes nothing. The writers
 * may hold a subject's rows in memory for the batch: they write them before the row moves.
 * In WAL mode the commit is not fsynced (see `withoutFsync`): the tables can be applied
 * again from the events, the events themselves cannot.
 */
export function createSqlTablesCheckpointStore(db: Database.Database, name: string, writers: readonly TableWriter[]): SqlTablesCheckpointStore {
  const select = db.prepare<[string], { position: bigint }>('SELECT position FROM projection_checkpoints WHERE name = ?').safeIntegers(true);
  const update = db.prepare<[bigint, string]>('UPDATE projection_checkpoints SET position = ? WHERE name = ?');
  const position = (): bigint => select.get(name)?.position ?? 0n;

  const apply = db.transaction((previous: bigint, batch: readonly RecordedEvent[], next: bigint): boolean => {
    if (position() !== previous) return false;
    // Each event is decoded once, for every writer, a slice of the batch before any of its
    // events is applied: the writers read the rows of the slice's keys at once. Slices, not
    // the whole batch, so the decoded events die young rather than fill the old heap.
    for (let start = 0; start < batch.length; start += PRELOAD_SLICE) {
      const slice = batch.slice(start, start + PRELOAD_SLICE);
      const decoded = slice.map((record) => events.decode(record.data));
      for (const writer of writers) writer.preload?.(decoded);
      slice.forEach((record, i) => {
        const event = decoded[i] as CustodianEvent;
        for (const writer of writers) writer.apply(event, record);
      });
    }
    for (const writer of writers) writer.flush?.();
    update.run(next, name);
    return true;
  });
  const wal = db.pragma('journal_mode', { simple: true }) === 'wal';
  // What the writers held of a batch that failed is rolled back with it, so they forget it too.
  const commit = (previous: bigint, batch: readonly RecordedEvent[], next: bigint): boolean => {
    try {
      return wal ? withoutFsync(db, () => apply.immediate(previous, batch, next)) : apply.immediate(previous, batch, next);
    } catch (error) {
      for (const writer of writers) writer.discard?.();
      throw error;
    }
  };

  return {
    position,
    load() {
      const at = position();
      return Promise.resolve(at === 0n ? undefined : { position: at, state: undefined });
    },
    commit: ({ previous, batch, next }) => Promise.resolve(commit(previous ?? 0n, batch, next.position)),
    reset() {
      clearProjections(db);
      return Promise.resolve();
    },
  };
}

const NORMAL = 1;

/**
 * Runs `work` (one transaction) at synchronous=NORMAL, and puts the connection's own setting
 * back before anything else can run on it. For the tables only: they are derived from the
 * events, and in WAL mode a commit at NORMAL is still atomic, only not yet on disk. A power
 * cut may undo the last batches, their checkpoint with them, and the next catch-up applies
 * them again; the event appends on the connection keep their synchronous=FULL fsync (which
 * also writes any tables' commit before it to disk).
 */
function withoutFsync<T>(db: Database.Database, work: () => T): T {
  const setting = db.pragma('synchronous', { simple: true }) as number;
  if (setting <= NORMAL) return work();
  db.pragma(`synchronous = ${NORMAL}`);
  try {
    return work();
  } finally {
    db.pragma(`synchronous = ${setting}`);
  }
}

/**
 * A projection's state and position in one row of `projection_state`, as text
 * (`encode`/`decode`, JSON by default), moved together in one transaction.
 */
export function createSqliteCheckpointStore<S>(db: Database.Database, projection: Projection<S>): CheckpointStore<S> {
  db.exec('CREATE TABLE IF NOT EXISTS projection_state (name TEXT PRIMARY KEY, position INTEGER NOT NULL, state TEXT NOT NULL)');
  const select = db.prepare<[string], { position: bigint; state: string }>('SELECT position, state FROM projection_state WHERE name = ?').safeIntegers(true);
  const upsert = db.prepare<[string, bigint, string]>(
    'INSERT INTO projection_state (name, position, state) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state',
  );
  const remove = db.prepare<[string]>('DELETE FROM projection_state WHERE name = ?');

  const save = db.transaction((previous: bigint | undefined, next: ProjectionCheckpoint<S>): boolean => {
    if (select.get(projection.name)?.position !== previous) return false;
    upsert.run(projection.name, next.position, encodeState(projection, next.state));
    return true;
  });

  return {
    load() {
      const row = select.get(projection.name);
      return Promise.resolve(row && { position: row.position, state: decodeState(projection, row.state) });
    },
    commit: ({ previous, next }) => Promise.resolve(save.immediate(previous, next)),
    reset() {
      remove.run(projection.name);
      return Promise.resolve();
    },
  };
}
