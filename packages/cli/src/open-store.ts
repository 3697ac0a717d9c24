import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventStore } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import { UsageError } from './usage';

export interface OpenedStore {
  readonly store: EventStore;
  /** Where the ledger is, for people: a file path, or the EventStoreDB host without credentials. */
  readonly label: string;
  /** How many events the ledger holds, when the store can say cheaply (progress bars). */
  countEvents?(): number;
  close(): Promise<void>;
}

export interface StoreChoice {
  readonly db?: string | undefined;
  readonly eventstore?: string | undefined;
}

export const DEFAULT_DB = 'custodian.db';

export async function openStore(choice: StoreChoice, cwd: string, command: string): Promise<OpenedStore> {
  if (choice.db !== undefined && choice.eventstore !== undefined) throw new UsageError('pass either --db or --eventstore, not both', command);
  return choice.eventstore !== undefined ? openEventStoreDB(choice.eventstore, command) : openSqlite(resolve(cwd, choice.db ?? DEFAULT_DB), choice.db === undefined, command);
}

function openSqlite(path: string, isDefault: boolean, command: string): OpenedStore {
  // Opening a path that does not exist would create an empty ledger there: a typo would
  // then "verify" nothing and pass.
  if (!existsSync(path))
    throw new UsageError(
      isDefault ? `no ledger file at ${path}; pass --db <file> or --eventstore <connection string>` : `no ledger file at ${path}`,
      command,
    );
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder, not a ledger file`, command);
  checkSqliteHeader(path, command);
  const store = createSqliteEventStore({ path });
  // Only the progress bar's total: SQLite counts the store's own table without reading a record.
  const count = store.database.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events');
  return { store, label: path, countEvents: () => count.get()?.n ?? 0, close: () => store.close() };
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * The store migrates any SQLite file it opens (it creates its table in a file without
 * one), so check first that this is a Custodian ledger, and leave other files untouched.
 */
function checkSqliteHeader(path: string, command: string): void {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) throw new UsageError(`${path} is not a SQLite file, so not a Custodian ledger`, command);
  // user_version (offset 60) is set when the ledger's table is made; while a write-ahead
  // log exists the main file's header may lag behind it, so only trust a zero without one.
  if (header.readUInt32BE(60) === 0 && !existsSync(`${path}-wal`)) throw new UsageError(`${path} is a SQLite file but not a Custodian ledger`, command);
}

async function openEventStoreDB(connectionString: string, command: string): Promise<OpenedStore> {
  // Loaded only when asked for: the gRPC client takes a noticeable time to load.
  const [{ EventStoreDBClient }, { createEventStoreDBStore }] = await Promise.all([import('@eventstore/db-client'), import('@custodian/eventstoredb')]);
  let client: InstanceType<typeof EventStoreDBClient>;
  try {
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    throw new UsageError(`--eventstore is not a connection string EventStoreDB understands: ${(error as Error).message}`, command);
  }
  const label = `EventStoreDB at ${withoutCredentials(connectionString)}`;
  const store = createEventStoreDBStore(client);
  try {
    // Fail here, with the server named, rather than halfway through a command.
    for await (const _ of store.readAll({ maxCount: 1 })) break;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new Error(`could not read from ${label}: ${(error as Error).message}`);
  }
  return { store, label, close: () => store.close() };
}

function withoutCredentials(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}
