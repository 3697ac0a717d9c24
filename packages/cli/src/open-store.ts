import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError, type EventStore } from '@custodian/core';
import { loadEventStoreDB, loadPostgres, loadSqlite } from './adapters';
import { stringOption, UsageError, type OptionValues } from './usage';

export interface OpenedStore {
  readonly store: EventStore;
  /** Where the ledger is, for people: a file path, or the server without credentials. */
  readonly label: string;
  /** How many events the ledger holds (up to a global position, inclusive, if given), when the store can say cheaply (progress bars). */
  countEvents?(upTo?: bigint): number;
  close(): Promise<void>;
}

export interface StoreChoice {
  readonly db?: string | undefined;
  readonly eventstore?: string | undefined;
  readonly postgres?: string | undefined;
}

export const DEFAULT_DB = 'custodian.db';

/** The store options a command was given: --db, --eventstore, --postgres. */
export const storeChoice = (values: OptionValues): StoreChoice => ({
  db: stringOption(values, 'db'),
  eventstore: stringOption(values, 'eventstore'),
  postgres: stringOption(values, 'postgres'),
});
const POSTGRES_URL_FORM = 'it must be postgres://user:password@host:port/database (or postgresql://), with a host';

export async function openStore(choice: StoreChoice, cwd: string, command: string): Promise<OpenedStore> {
  const named = (['db', 'eventstore', 'postgres'] as const).filter((option) => choice[option] !== undefined);
  if (named.length > 1) throw new UsageError(`pass either --${named[0]} or --${named[1]}, not both`, command);
  if (choice.eventstore !== undefined) return openEventStoreDB(choice.eventstore, command);
  if (choice.postgres !== undefined) return openPostgres(choice.postgres, command);
  return openSqlite(resolve(cwd, choice.db ?? DEFAULT_DB), choice.db === undefined, command);
}

async function openSqlite(path: string, isDefault: boolean, command: string): Promise<OpenedStore> {
  // Opening a path that does not exist would create an empty ledger there: a typo would
  // then "verify" nothing and pass.
  if (!existsSync(path)) throw new UsageError(isDefault ? `no ledger file at ${path}; pass --db <file> or --eventstore <connection string>` : `no ledger file at ${path}`, command);
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder, not a ledger file`, command);
  const { createSqliteEventStore } = await loadSqlite(command);
  // Read-only: the auditor's copy is never written, and a file that is not a ledger is
  // refused (NotALedgerError) rather than given a table.
  const store = createSqliteEventStore({ path, readonly: true });
  // Only the progress bar's total: SQLite counts the store's own table without reading a record.
  const count = store.database.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events');
  const countUpTo = store.database.prepare<[bigint], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE position <= ?');
  return {
    store,
    label: path,
    countEvents: (upTo) => (upTo === undefined ? count.get() : countUpTo.get(upTo))?.n ?? 0,
    close: () => store.close(),
  };
}

async function openEventStoreDB(connectionString: string, command: string): Promise<OpenedStore> {
  const [{ createEventStoreDBStore }, { EventStoreDBClient }] = await loadEventStoreDB(command);
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

async function openPostgres(connectionString: string, command: string): Promise<OpenedStore> {
  const { createPostgresEventStore } = await loadPostgres(command);
  let store: Awaited<ReturnType<typeof createPostgresEventStore>>;
  try {
    // Read-only: nothing is created or migrated (a database without a ledger is refused,
    // untouched), appends are refused, and the server refuses writes in the CLI's sessions.
    store = await createPostgresEventStore({ connectionString, readonly: true, poolSize: 2 });
  } catch (error) {
    // The URL's own words are not repeated: they may hold its password.
    if (error instanceof ValidationError) throw new UsageError(`--postgres is not a PostgreSQL URL: ${POSTGRES_URL_FORM}`, command);
    throw error;
  }
  return { store, label: `PostgreSQL at ${store.location.database}`, close: () => store.close() };
}

/** How a command that writes finds its ledger: whether it may start one where there is none. */
export interface WritableChoice extends StoreChoice {
  /** True: a missing SQLite file is created and an empty database given the tables (an import's first run); false: the ledger must be there. */
  readonly create: boolean;
}

/**
 * A ledger to write to: a SQLite file, or PostgreSQL (`--postgres`). EventStoreDB is refused:
 * no EventStoreDB server runs where the CLI's writing commands are tested, and an untested write path is not offered.
 */
export async function openWritableStore(choice: WritableChoice, cwd: string, command: string): Promise<OpenedStore> {
  if (choice.eventstore !== undefined)
    throw new UsageError(`${command} writes to a SQLite ledger file (--db <file>) or to PostgreSQL (--postgres <url>), not to EventStoreDB`, command);
  if (choice.db !== undefined && choice.postgres !== undefined) throw new UsageError('pass either --db or --postgres, not both', command);
  if (choice.postgres !== undefined) {
    const { createPostgresEventStore } = await loadPostgres(command);
    try {
      const store = await createPostgresEventStore({ connectionString: choice.postgres, migrate: choice.create, poolSize: 4 });
      return { store, label: `PostgreSQL at ${store.location.database}`, close: () => store.close() };
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError(`--postgres is not a PostgreSQL URL: ${POSTGRES_URL_FORM}`, command);
      throw error;
    }
  }
  const path = resolve(cwd, choice.db ?? DEFAULT_DB);
  if (choice.create ? !existsSync(dirname(path)) : !existsSync(path)) throw new UsageError(choice.create ? `no folder for ${path}` : `no ledger file at ${path}`, command);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${path} is a folder, not a ledger file`, command);
  const { createSqliteEventStore } = await loadSqlite(command);
  const store = createSqliteEventStore({ path });
  return { store, label: path, close: () => store.close() };
}

function withoutCredentials(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}
