import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createSqliteEventStore, createSqlProjections, type SqliteEventStore } from '@custodian/sqlite';
import { analyticsStory } from '@custodian/testing';
import { startTestDatabase, type TestDatabase } from '../../test-support/postgres';
import { PROJECTION_TABLES } from '../schema';

/**
 * One database for the test file, and a schema of its own for each test: a pool whose
 * search_path is a fresh schema sees empty tables, so the tests share a server and a
 * database and still never see each other's rows.
 */
export interface TestSchemas {
  /** A pool on a new, empty schema (or on `name`'s, to open a second pool on one made before). */
  pool(name?: string): Promise<Pool & { schema: string }>;
  /** A connection URL whose search_path is the schema `name`. */
  url(name: string): string;
  /** Ends every pool and drops the database. */
  stop(): Promise<void>;
}

export async function testSchemas(): Promise<TestSchemas> {
  const database: TestDatabase = await startTestDatabase();
  const admin = new Pool({ connectionString: database.url, max: 2 });
  const pools: Pool[] = [];
  const url = (name: string) => {
    const withPath = new URL(database.url);
    withPath.searchParams.set('options', `-c search_path=${name}`);
    return withPath.toString();
  };
  return {
    url,
    async pool(name) {
      const schema = name ?? `t_${randomBytes(5).toString('hex')}`;
      if (name === undefined) await admin.query(`CREATE SCHEMA ${schema}`);
      const pool = Object.assign(new Pool({ connectionString: url(schema) }), { schema });
      // The tests kill connections on purpose; the pool drops them.
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    },
    async stop() {
      for (const pool of pools.splice(0)) await pool.end();
      await admin.end();
      await database.stop();
    },
  };
}

/** A JSON object with its keys sorted: jsonb keeps its own key order, SQLite's text the writer's. */
const sortedKeys = (value: unknown): string => JSON.stringify(Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))));

/** A row as it reads on either database: jsonb lists as their JSON text, jsonb maps as their text with keys sorted, bigint positions as numbers. */
function portable(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column,
      Array.isArray(value)
        ? JSON.stringify(value)
        : column === 'retention'
          ? sortedKeys(typeof value === 'string' ? JSON.parse(value) : value)
          : column === 'position' && typeof value === 'string'
            ? Number(value)
            : value,
    ]),
  );
}

/** Rows in an order that does not hang on either database's collation. */
export const sorted = (rows: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map(portable).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));

/** Every row of every analytics table on Postgres, comparable with `sqliteSnapshot`. */
export async function snapshot(pool: Pool): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of PROJECTION_TABLES) tables[table] = sorted((await pool.query<Record<string, unknown>>(`SELECT * FROM ${table}`)).rows);
  return tables;
}

export async function rows<Row>(pool: Pool, sql: string, values: unknown[] = []): Promise<Row[]> {
  return (await pool.query(sql, values)).rows as Row[];
}

/** The analytics story written to a SQLite ledger, whose tables SQLite's runner has built: the reference for Postgres's. */
export interface SqliteReference {
  readonly store: SqliteEventStore;
  snapshot(): Record<string, unknown[]>;
  close(): Promise<void>;
}

export async function sqliteReference(): Promise<SqliteReference> {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-pg-reference-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  await analyticsStory.writeStory(store);
  const projections = createSqlProjections(store);
  await projections.catchUp();
  await projections.close();
  return {
    store,
    snapshot: () => Object.fromEntries(PROJECTION_TABLES.map((table) => [table, sorted(store.database.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[])])),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
