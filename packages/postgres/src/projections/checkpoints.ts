import { decodeState, encodeState, events, type CheckpointStore, type Projection } from '@custodian/core';
import type { Pool } from 'pg';
import { clearProjections, ensureStateTable } from './schema';
import { bigintOf, statement, transaction, withClient } from './sql';
import type { BatchEvent, TableWriter } from './table';

/** The analytics tables' checkpoint store, which can also say where the database's tables stand. */
export interface PostgresTablesCheckpointStore extends CheckpointStore<undefined> {
  /** The position of the last event the tables reflect, as committed in the database (undefined: none). */
  position(): Promise<bigint | undefined>;
}

const select = statement<{ position: string | null }>('checkpoint.select', 'SELECT position FROM projection_checkpoints WHERE name = $1');
const lock = statement<{ position: string | null }>('checkpoint.lock', 'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE');
const positionOf = (row: { position: string | null } | undefined): bigint | undefined => (row?.position == null ? undefined : bigintOf(row.position));
const move = statement('checkpoint.move', 'UPDATE projection_checkpoints SET position = $2 WHERE name = $1');

/**
 * The checkpoint of SQL tables kept by `writers`: the row `name` of projection_checkpoints
 * (made by `migrateProjections`). A commit locks the row, writes the batch's rows and moves
 * the row in one transaction, so the tables reflect exactly the events up to it, whatever
 * dies when; one that finds the row moved (another runner on the database, a rebuild)
 * writes nothing. The batch is decoded before the transaction begins: an unreadable event
 * fails it without a round trip.
 */
export function createPostgresTablesCheckpointStore(pool: Pool, name: string, writers: readonly TableWriter[]): PostgresTablesCheckpointStore {
  const position = (): Promise<bigint | undefined> => withClient(pool, async (client) => positionOf((await select(client, [name])).rows[0]));

  return {
    position,
    async load() {
      const at = await position();
      return at === undefined ? undefined : { position: at, state: undefined };
    },
    async commit({ previous, batch, next }) {
      const decoded: BatchEvent[] = batch.map((record) => ({ event: events.decode(record.data), record }));
      return transaction(pool, async (client) => {
        if (positionOf((await lock(client, [name])).rows[0]) !== previous) return false;
        for (const writer of writers) await writer.write(client, decoded);
        await move(client, [name, next.position.toString()]);
        return true;
      });
    },
    reset: () => clearProjections(pool),
  };
}

const selectState = statement<{ position: string; state: string }>('state.select', 'SELECT position, state FROM projection_state WHERE name = $1');
const lockState = statement<{ position: string }>('state.lock', 'SELECT position FROM projection_state WHERE name = $1 FOR UPDATE');
const upsertState = statement(
  'state.upsert',
  'INSERT INTO projection_state (name, position, state) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state',
);
const removeState = statement('state.remove', 'DELETE FROM projection_state WHERE name = $1');

/**
 * A projection's state and position in one row of `projection_state`, as text
 * (`encode`/`decode`, JSON by default), moved together in one transaction. Two commits
 * from the same `previous` take turns on the row's lock, and the second finds it moved.
 * A first commit races on the primary key instead: the loser's insert fails, and the
 * runner stops rather than fold anything twice.
 */
export async function createPostgresCheckpointStore<S>(pool: Pool, projection: Projection<S>): Promise<CheckpointStore<S>> {
  await ensureStateTable(pool);
  return {
    load: () =>
      withClient(pool, async (client) => {
        const row = (await selectState(client, [projection.name])).rows[0];
        return row && { position: bigintOf(row.position), state: decodeState(projection, row.state) };
      }),
    commit: ({ previous, next }) =>
      transaction(pool, async (client) => {
        const row = (await lockState(client, [projection.name])).rows[0];
        if ((row === undefined ? undefined : bigintOf(row.position)) !== previous) return false;
        await upsertState(client, [projection.name, next.position.toString(), encodeState(projection, next.state)]);
        return true;
      }),
    async reset() {
      await transaction(pool, (client) => removeState(client, [projection.name]));
    },
  };
}
