import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, type SqliteEventStore } from '@custodian/sqlite';

type Connection = SqliteEventStore['database'];
type Driver = new (path: string, options?: { readonly?: boolean }) => Connection;

/**
 * The SQLite driver, for tests that make files other programs would (not ledgers). The CLI
 * does not depend on better-sqlite3 itself, so it takes the driver from a store's connection.
 */
export function sqliteDriver(): Driver {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-driver-'));
  const store = createSqliteEventStore({ path: join(dir, 'driver.db') });
  const driver = store.database.constructor as Driver;
  store.database.close();
  rmSync(dir, { recursive: true, force: true });
  return driver;
}
