import { afterAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '@custodian/core';
import { runProjectionRunnerConformance } from '@custodian/testing';
import { createSqliteEventStore, type SqliteEventStore } from '../index';
import { createSqliteCheckpointStore, createSqlTablesCheckpointStore } from './checkpoints';
import { CHECKPOINT_NAME, ensureProjectionSchema } from './schema';
import type { TableWriter } from './table';
import { writeStory } from './test-support/dataset';
import { tempFiles } from './test-support/files';

// SQLite's synchronous levels, as PRAGMA synchronous reads them.
const NORMAL = 1;
const FULL = 2;

const files = tempFiles('custodian-sql-checkpoints-');
afterAll(() => files.remove());

// Each checkpoint store opens its own connection to the file, as a restarted process would.
const connections: SqliteEventStore[] = [];
runProjectionRunnerConformance('SQLite', {
  store: () => createSqliteEventStore({ path: files.path() }),
  checkpoints(store, projection) {
    const connection = createSqliteEventStore({ path: store.database.name });
    connections.push(connection);
    return createSqliteCheckpointStore(connection.database, projection);
  },
  async close(store) {
    for (const connection of connections.splice(0)) await connection.close();
    await store.close();
  },
});

describe("the analytics tables' checkpoint store", () => {
  it('commits a batch without an fsync in WAL mode, and gives the connection back at synchronous=FULL for the appends', async () => {
    const store = createSqliteEventStore({ path: files.path() });
    try {
      await writeStory(store);
      ensureProjectionSchema(store.database);
      const during: unknown[] = [];
      const watching: TableWriter = { apply: () => during.push(store.database.pragma('synchronous', { simple: true })) };
      const checkpoints = createSqlTablesCheckpointStore(store.database, CHECKPOINT_NAME, [watching]);
      const batch: RecordedEvent[] = [];
      for await (const record of store.readAll({ maxCount: 3 })) batch.push(record);
      const last = batch.at(-1) as RecordedEvent;

      expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.database.pragma('synchronous', { simple: true })).toBe(FULL);
      expect(await checkpoints.commit({ previous: undefined, batch, next: { position: last.position, state: undefined } })).toBe(true);
      expect(during).toEqual([NORMAL, NORMAL, NORMAL]);
      expect(store.database.pragma('synchronous', { simple: true })).toBe(FULL);
      expect(checkpoints.position()).toBe(last.position);
    } finally {
      await store.close();
    }
  });

  it('gives the connection back at synchronous=FULL when a batch fails', async () => {
    const store = createSqliteEventStore({ path: files.path() });
    try {
      await writeStory(store);
      ensureProjectionSchema(store.database);
      const failing: TableWriter = {
        apply() {
          throw new Error('a writer failed');
        },
      };
      const checkpoints = createSqlTablesCheckpointStore(store.database, CHECKPOINT_NAME, [failing]);
      const batch: RecordedEvent[] = [];
      for await (const record of store.readAll({ maxCount: 1 })) batch.push(record);
      await expect((async () => checkpoints.commit({ previous: undefined, batch, next: { position: 1n, state: undefined } }))()).rejects.toThrow('a writer failed');
      expect(store.database.pragma('synchronous', { simple: true })).toBe(FULL);
      expect(checkpoints.position()).toBe(0n);
    } finally {
      await store.close();
    }
  });
});
