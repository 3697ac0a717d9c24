import { Pool } from 'pg';
import { z } from 'zod';
import { StoreClosedError, type SnapshotStore } from '@custodian/core';
import { validateSnapshotArguments } from '@custodian/core/store-kit';
import { ConnectionString, GivenPool, parseEither, SchemaName } from './options';
import { lockKey } from './schema';

const ByUrl = z.strictObject({
  /** A postgres:// URL: the store opens a pool of its own (two connections), ended by `close()`. */
  connectionString: ConnectionString,
  /** The schema of the snapshot table; the ledger's own by default. */
  schema: SchemaName,
});
const ByPool = z.strictObject({
  /** A pool the caller owns: used, and left open on `close()`. */
  pool: GivenPool,
  schema: SchemaName,
});

export type PostgresSnapshotStoreOptions = z.input<typeof ByUrl> | z.input<typeof ByPool>;

export interface PostgresSnapshotStore extends SnapshotStore {
  close(): Promise<void>;
}

/**
 * Snapshots in `<schema>.snapshots`, an UNLOGGED table: a snapshot is disposable (a lost one
 * costs one full fold; a torn or stale one is refused by the ledger, its MAC and its link to
 * the stored chain, and costs the same), so its writes skip the write-ahead log and never
 * wait for a WAL flush, nor for the append lock: saving snapshots does not slow appends. A
 * server crash empties the table, and the ledger folds from the events again.
 */
export async function createPostgresSnapshotStore(input: PostgresSnapshotStoreOptions): Promise<PostgresSnapshotStore> {
  const options = parseEither(ByUrl, ByPool, input, 'PostgresSnapshotStoreOptions');
  const owned = 'connectionString' in options;
  const pool = owned ? new Pool({ connectionString: options.connectionString, max: 2, application_name: 'custodian-snapshots' }) : options.pool;
  if (owned) pool.on('error', () => undefined);
  const table = `"${options.schema}".snapshots`;
  try {
    const client = await pool.connect();
    try {
      // Under a lock, so stores opening a new database at once do not race to create the table.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey('snapshots', options.schema).toString()]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${table} (stream text PRIMARY KEY, snapshot bytea NOT NULL)`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    if (owned) await pool.end();
    throw error;
  }

  let closed = false;
  const assertOpen = () => {
    if (closed) throw new StoreClosedError();
  };
  return {
    async load(stream) {
      assertOpen();
      validateSnapshotArguments('load', stream);
      const { rows } = await pool.query<{ snapshot: Buffer }>(`SELECT snapshot FROM ${table} WHERE stream = $1`, [stream]);
      return rows[0]?.snapshot;
    },
    async save(stream, snapshot) {
      assertOpen();
      validateSnapshotArguments('save', stream, snapshot);
      // Copied now: the query is sent when a connection is free, and the caller may change its bytes by then.
      const bytes = Buffer.from(snapshot);
      await pool.query(`INSERT INTO ${table} (stream, snapshot) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET snapshot = excluded.snapshot`, [stream, bytes]);
    },
    async clear() {
      assertOpen();
      await pool.query(`DELETE FROM ${table}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
  };
}
