import { UsageError } from './usage';

/*
 * The store adapters are optional peer dependencies of the CLI: `npm i @custodian/cli
 * @custodian/sqlite` must work without the EventStoreDB client, so each adapter is loaded
 * only when an option asks for it, and a missing one is a usage error that says what to
 * install rather than a stack trace.
 */

export const loadSqlite = (command: string) => loadOptional('--db', command, () => import('@custodian/sqlite'));

export const loadEventStoreDB = (command: string) =>
  // The gRPC client also takes a noticeable time to load: one more reason to load it late.
  loadOptional('--eventstore', command, () => Promise.all([import('@custodian/eventstoredb'), import('@eventstore/db-client')]));

async function loadOptional<T>(option: string, command: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackage(error);
    if (missing === undefined) throw error;
    throw new UsageError(`${option} needs ${missing}: npm i ${missing}`, command);
  }
}

/** The package a failed load could not find, if that is why it failed (not for a missing file inside an installed package). */
function missingPackage(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') return undefined;
  const name = /^Cannot find module '([^']+)'/.exec(error.message)?.[1];
  if (name === undefined || name.startsWith('.') || name.startsWith('/')) return undefined;
  const [scopeOrName, rest] = name.split('/');
  return name.startsWith('@') && rest !== undefined ? `${scopeOrName}/${rest}` : scopeOrName;
}
