import type Database from 'better-sqlite3';
import { PROJECTION_TABLES } from '../schema';

/** Every row of every analytics table, in a stable order, to compare two builds. */
export function snapshot(db: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(PROJECTION_TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all()]));
}

export function rows<Row>(db: Database.Database, sql: string, ...params: unknown[]): Row[] {
  return db.prepare(sql).all(...params) as Row[];
}
