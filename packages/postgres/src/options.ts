import type { Pool } from 'pg';
import { z } from 'zod';
import { parseOrThrow } from '@custodian/core';

const URL_FORM = 'must be a postgres:// or postgresql:// URL with a host, e.g. postgres://user:password@localhost:5432/ledger';

function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
}

const isPool = (value: unknown): value is Pool =>
  typeof value === 'object' && value !== null && typeof (value as Pool).query === 'function' && typeof (value as Pool).connect === 'function';

/** A PostgreSQL identifier the store can put in its SQL unquoted-safe: lower case, as PostgreSQL folds names. */
export const SchemaName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL name: letters, digits and _, starting with a letter or _, at most 63 characters')
  .default('custodian');

const Common = {
  /** The PostgreSQL schema that holds the ledger's tables; created if absent. Default `custodian`. */
  schema: SchemaName,
  /** Open an existing ledger to read it: nothing is created or migrated, appends are refused. Default false. */
  readonly: z.boolean().default(false),
  /** Create the tables, or bring an older layout up to this one, when opening. Default true; false refuses a database without them. */
  migrate: z.boolean().default(true),
  /** How often live subscriptions look for events appended by other processes (appends through this store wake them at once). Default 200 ms. */
  pollIntervalMs: z.number().int().min(1).max(60_000).default(200),
  /** At most this many appends share one round trip and one commit. Default 256. */
  maxBatch: z.number().int().min(1).max(10_000).default(256),
};

export const ConnectionString = z.string().refine(isPostgresUrl, URL_FORM);
export const GivenPool = z.custom<Pool>(isPool, 'must be a pg Pool');

const ByUrl = z.strictObject({
  /** Where the ledger is: a postgres:// URL. The store opens (and, on close, ends) a pool of its own. */
  connectionString: ConnectionString,
  /** Connections in the store's own pool. Default 10. */
  poolSize: z.number().int().min(1).max(1000).default(10),
  ...Common,
});

const ByPool = z.strictObject({
  /** A pool the caller owns: the store uses it and leaves it open on close. */
  pool: GivenPool,
  ...Common,
});

/** Where the ledger is: a URL, or a pool the caller made. */
export type PostgresEventStoreOptions = z.input<typeof ByUrl> | z.input<typeof ByPool>;
export type ParsedOptions = z.output<typeof ByUrl> | z.output<typeof ByPool>;

/** The form is told by its key, so a bad URL is reported as that, not as "matches no form". */
export function parseEither<A extends z.ZodType, B extends z.ZodType>(byUrl: A, byPool: B, input: unknown, what: string): z.output<A> | z.output<B> {
  const givenPool = typeof input === 'object' && input !== null && 'pool' in input;
  return givenPool ? parseOrThrow(byPool, input, what) : parseOrThrow(byUrl, input, what);
}

export function parseOptions(input: unknown): ParsedOptions {
  return parseEither(ByUrl, ByPool, input, 'PostgresEventStoreOptions');
}

/** `host:port/database` of a URL: what errors name, never the user or password. */
export function describeUrl(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.hostname}:${url.port || '5432'}${url.pathname || '/'}`;
}
