import Database from 'better-sqlite3';
import { StoreClosedError, type SnapshotStore } from '@custodian/core';
import { validateSnapshotArguments } from '@custodian/core/store-kit';

export interface SqliteSnapshotStoreOptions {
  /** The snapshot file; created if absent. Not the event store's file: see `createSqliteSnapshotStore`. */
  path: string;
}

export interface SqliteSnapshotStore extends SnapshotStore {
  close(): Promise<void>;
}

const DDL = 'CREATE TABLE IF NOT EXISTS snapshots (stream TEXT PRIMARY KEY, snapshot BLOB NOT NULL)';

/**
 * Snapshots in a SQLite file of their own, not a table beside the events. A snapshot is
 * disposable: a lost one costs one full fold, a torn or stale one is refused by the ledger
 * (its MAC, its link to the stored chain) and costs the same. So its writes are not fsync'd
 * (`synchronous = OFF`) and never wait for, or hold, the event store's write lock, whose
 * every commit is fsync'd (`synchronous = FULL`): saving snapshots does not slow the
 * appends. A backup of the event file without this one loses nothing but time.
 */
export function createSqliteSnapshotStore(options: SqliteSnapshotStoreOptions): SqliteSnapshotStore {
  const database = new Database(options.path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = OFF');
  database.pragma('busy_timeout = 5000');
  database.exec(DDL);
  const select = database.prepare<[string], { snapshot: Buffer }>('SELECT snapshot FROM snapshots WHERE stream = ?');
  const upsert = database.prepare<[string, Buffer]>('INSERT INTO snapshots (stream, snapshot) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET snapshot = excluded.snapshot');
  const removeAll = database.prepare('DELETE FROM snapshots');
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new StoreClosedError();
  };
  return {
    load(stream) {
      return Promise.resolve().then(() => {
        assertOpen();
        validateSnapshotArguments('load', stream);
        return select.get(stream)?.snapshot;
      });
    },
    save(stream, snapshot) {
      return Promise.resolve().then(() => {
        assertOpen();
        validateSnapshotArguments('save', stream, snapshot);
        upsert.run(stream, Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength));
      });
    },
    clear() {
      return Promise.resolve().then(() => {
        assertOpen();
        removeAll.run();
      });
    },
    close() {
      if (!closed) database.close();
      closed = true;
      return Promise.resolve();
    },
  };
}
