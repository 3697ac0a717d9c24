import { afterAll, beforeAll } from '@jest/globals';
import { runEventStoreConformance, runLedgerConformance, runTreeConformance } from '@custodian/testing';
import { createPostgresEventStore, type PostgresEventStore } from './index';
import { startTestDatabase, type TestDatabase } from './test-support/postgres';

let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
}, 60_000);
afterAll(() => database.stop());

let schemas = 0;
const openStore = () => createPostgresEventStore({ connectionString: database.url });

// Its pool ended underneath: every read fails from then on.
runEventStoreConformance('PostgresEventStore', openStore, { failReads: (store) => (store as PostgresEventStore).pool.end() });
// The ledger and tree suites audit the whole log, so each test gets a log of its own: a fresh schema of the one database.
const openFreshStore = () => createPostgresEventStore({ connectionString: database.url, schema: `ledger_${++schemas}` });
runLedgerConformance('PostgresEventStore', openFreshStore, { raceRounds: 15, fairnessRounds: 3 });
runTreeConformance('PostgresEventStore', openFreshStore);
