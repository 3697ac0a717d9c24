import { afterAll } from '@jest/globals';
import { runProjectionRunnerConformance } from '@custodian/testing';
import { createSqliteEventStore, type SqliteEventStore } from '../index';
import { createSqliteCheckpointStore } from './checkpoints';
import { tempFiles } from './test-support/files';

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
