import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, types } from 'pg';
import { analyticsStory } from '@custodian/testing';
import { createPostgresProjections } from './index';
import { snapshot, sqliteReference, testSchemas, type SqliteReference, type TestSchemas } from './test-support/schemas';

/**
 * docs/analytics.md promises that its questions run on PostgreSQL too: each ```sql block
 * as written, or the ```postgresql block that follows it where the databases' SQL differs.
 * This builds the tables on both databases from one ledger (the story SQLite's own doc test
 * checks by hand) and checks that every question gets the same rows from each.
 */
const DOC_PATH = join(__dirname, '../../../../docs/analytics.md');
const { QUESTIONS } = analyticsStory;

function blocks(markdown: string, language: string): { name: string | undefined; sql: string }[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${language}\\r?\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map(([, sql = '']) => ({
    name: /^-- query: ([a-z0-9-]+)\s*$/.exec(sql.split('\n')[0] ?? '')?.[1],
    sql,
  }));
}

const doc = readFileSync(DOC_PATH, 'utf8');
const portable = blocks(doc, 'sql');
const variants = blocks(doc, 'postgresql');

// Counts and rounded figures as numbers, as SQLite gives them (pg hands bigint and numeric over as text).
const asNumbers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 || oid === types.builtins.NUMERIC ? (text: string) => Number(text) : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

let schemas: TestSchemas;
let reference: SqliteReference;
let analyst: Pool;
let built: Pool & { schema: string };

beforeAll(async () => {
  schemas = await testSchemas();
  reference = await sqliteReference();
  built = await schemas.pool();
  // The source is the SQLite ledger itself: one log, two sets of tables.
  const projections = await createPostgresProjections({ pool: built, store: reference.store, batchSize: 25 });
  await projections.catchUp();
  await projections.close();
  analyst = new Pool({ connectionString: schemas.url(built.schema), types: asNumbers });
});

afterAll(async () => {
  await analyst.end();
  await reference.close();
  await schemas.stop();
});

function sqlFor(name: string): string {
  const block = variants.find((b) => b.name === name) ?? portable.find((b) => b.name === name);
  if (!block) throw new Error(`docs/analytics.md has no \`-- query: ${name}\` block`);
  return block.sql;
}

async function onBoth(name: string): Promise<{ postgres: unknown[]; sqlite: unknown[] }> {
  const postgres = (await analyst.query<Record<string, unknown>>(sqlFor(name))).rows;
  const sqlite = reference.store.database.prepare(portable.find((b) => b.name === name)?.sql ?? '').all() as Record<string, unknown>[];
  // The queries order their rows; a jsonb list reads as the JSON text SQLite holds.
  const text = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? JSON.stringify(v) : v])));
  return { postgres: text(postgres), sqlite: text(sqlite) };
}

describe('docs/analytics.md on PostgreSQL', () => {
  it('has a PostgreSQL variant only for questions the page asks, and at most one each', () => {
    expect(variants.filter((b) => b.name === undefined)).toEqual([]);
    const names = variants.map((b) => b.name);
    expect(names.every((name) => name !== undefined && QUESTIONS.includes(name))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  it('builds, from the same ledger, the very rows SQLite builds, table by table', async () => {
    const tables = await snapshot(built);
    expect(Object.entries(tables).filter(([, rows]) => rows.length === 0)).toEqual([]);
    expect(tables).toEqual(reference.snapshot());
  });

  it.each(QUESTIONS)('%s: the same rows as on SQLite', async (name) => {
    const { postgres, sqlite } = await onBoth(name);
    expect(sqlite.length).toBeGreaterThan(0);
    expect(postgres).toEqual(sqlite);
  });
});
