import type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * A statement prepared once per connection: pg parses and plans a named query the first
 * time a connection runs it, and only binds and executes it from then on.
 */
export function statement<Row extends QueryResultRow = QueryResultRow>(name: string, text: string) {
  return (client: PoolClient, values: readonly unknown[]) => client.query<Row>({ name: `custodian.projections.${name}`, text, values: [...values] });
}

/**
 * Runs `work` on a connection of the pool's. A connection that fails under it (killed,
 * the server gone) is reported by pg as an 'error' event, which would bring the process
 * down with nobody listening: it is kept as the reason the connection is dropped from the
 * pool rather than handed out again, and `work` meets it as its query's rejection.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient, broken: () => boolean) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  try {
    return await work(client, () => broken !== undefined);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on a connection of its own: committed if it resolves, rolled back if it throws. */
export function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, broken) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!broken()) await client.query('ROLLBACK');
      throw error;
    }
  });
}

/** A bigint column (or count) as pg hands it over: text, so no precision is lost. */
export const bigintOf = (value: string | number | bigint): bigint => BigInt(value);
