import type * as EventStoreDBClient from '@eventstore/db-client';
import type * as EventStoreDBPackage from '@custodian/eventstoredb';
import type * as PostgresPackage from '@custodian/postgres';
import type * as SqlitePackage from '@custodian/sqlite';
import { UsageError } from './usage';

/*
 * The store adapters are optional peer dependencies of the CLI: `npm i @custodian/cli
 * @custodian/sqlite` must work without the EventStoreDB client or the PostgreSQL driver,
 * so each adapter is loaded only when an option asks for it, and a missing one is a usage
 * error that says what to install rather than a stack trace.
 */

type SqliteAdapter = typeof SqlitePackage;
type EventStoreDBAdapter = [typeof EventStoreDBPackage, typeof EventStoreDBClient];
type PostgresAdapter = typeof PostgresPackage;

export function loadSqlite(command: string): Promise<SqliteAdapter> {
  return loadOptional('--db', command, () => import('@custodian/sqlite'));
}

export function loadEventStoreDB(command: string): Promise<EventStoreDBAdapter> {
  // The gRPC client also takes a noticeable time to load: one more reason to load it late.
  return loadOptional('--eventstore', command, () => Promise.all([import('@custodian/eventstoredb'), import('@eventstore/db-client')]));
}

/** The `pg` driver is @custodian/postgres's own dependency: a missing one is named by the failed load of the adapter. */
export function loadPostgres(command: string): Promise<PostgresAdapter> {
  return loadOptional('--postgres', command, () => import('@custodian/postgres'));
}

async function loadOptional<T>(option: string, command: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackage(error);
    if (missing === undefined) throw error;
    throw new UsageError(`${option} needs ${missing}: npm i ${missing}`, command);
  }
}

// Node's require says "Cannot find module 'x'" (MODULE_NOT_FOUND), as jest does; the built
// CLI's import() says "Cannot find package 'x' imported from …" (ERR_MODULE_NOT_FOUND).
const NOT_FOUND = new Set(['MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND']);

/** The package a failed load could not find, if that is why it failed (not for a missing file inside an installed package). */
function missingPackage(error: unknown): string | undefined {
  if (!(error instanceof Error) || !NOT_FOUND.has(String((error as NodeJS.ErrnoException).code))) return undefined;
  const name = /^Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1];
  if (name === undefined || name.startsWith('.') || name.startsWith('/') || name.startsWith('file:')) return undefined;
  const [scopeOrName, rest] = name.split('/');
  return name.startsWith('@') && rest !== undefined ? `${scopeOrName}/${rest}` : scopeOrName;
}
