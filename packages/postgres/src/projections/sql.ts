import type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * A statement prepared once per connection: pg parses and plans a named query the first
 * time a connection runs it, and only binds and executes it from then on.
 */
export function statement<Row extends QueryResultRow = QueryResultRow>(name: string, text: string) {
  return (client: PoolClient, values: readonly unknown[]) => client.query<Row>({ name: `custodian.projections.${name}`, text, values: [...values] });
}

/**
 * Runs `work` in one transaction on a connection of its own: committed if it resolves,
 * rolled back if it throws. A connection that failed under it (killed, timed out) is
 * dropped from the pool rather than handed out again.
 */
export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollback) {
      broken = rollback instanceof Error ? rollback : new Error(String(rollback));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A bigint column (or count) as pg hands it over: text, so no precision is lost. */
export const bigintOf = (value: string | number | bigint): bigint => BigInt(value);
