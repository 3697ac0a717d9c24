import { types, type Pool, type QueryResultRow } from 'pg';
import type { RecordedEvent } from '@custodian/core';
import type { StoredId } from '@custodian/core/store-kit';
import { failureReason, isConnectionLost } from './connection';
import { ConnectionLostError } from './errors';

const INT8 = 20;

// Positions and revisions come back as bigints, whatever parsers the caller's pool was given.
// Results stay in text format: pg decodes every field of a binary result as UTF-8, which
// garbles any byte from 0x80 up, in a bytea or a bigint alike.
const bigintTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (value: string) => BigInt(value) : types.getTypeParser(oid, format))) as typeof types.getTypeParser,
};

interface EventRow {
  position: bigint;
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  data: Buffer;
}

/** What one call of `append_batch` answers for each append it was given, in order. */
export interface BatchOutcome {
  outcome: 'appended' | 'conflict' | 'repeated';
  last_revision: bigint | null;
  last_position: bigint | null;
}

/** The flattened appends of one call: one entry per append in the first two, one per event in the rest. */
export interface BatchInput {
  streams: string[];
  expected: string[];
  counts: number[];
  ids: string[];
  types: string[];
  payloads: Buffer[];
}

/** Every query the store runs, as named statements (parsed once per connection) in its schema. */
export function createStatements(pool: Pool, schema: string) {
  const events = `"${schema}".events`;
  const columns = 'position, stream, revision, id, type, data';
  const inFlight = new Set<Promise<unknown>>();
  const run = async <Row extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<Row[]> => {
    const query = pool.query<Row>({ name: `custodian:${schema}:${name}`, text, values, types: bigintTypes });
    inFlight.add(query);
    try {
      return (await query).rows;
    } catch (error) {
      throw isConnectionLost(error) ? new ConnectionLostError(name, failureReason(error)) : error;
    } finally {
      inFlight.delete(query);
    }
  };

  return {
    /**
     * Settles once every query sent so far has: the pool must not end before, as pg-pool
     * drops a query still waiting for a connection when its pool ends, and it never settles.
     */
    async quiet(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    appendBatch(batch: BatchInput): Promise<BatchOutcome[]> {
      return run<BatchOutcome>('append', `SELECT outcome, last_revision, last_position FROM "${schema}".append_batch($1, $2, $3, $4, $5, $6)`, [
        batch.streams,
        batch.expected,
        batch.counts,
        batch.ids,
        batch.types,
        batch.payloads,
      ]);
    },
    /** The revision of the stream's last event, or 'no_stream'. */
    async lastRevision(stream: string): Promise<bigint | 'no_stream'> {
      const [row] = await run<{ revision: bigint | null }>('last-revision', `SELECT max(revision) AS revision FROM ${events} WHERE stream = $1`, [stream]);
      return row?.revision ?? 'no_stream';
    },
    /** The position of the last event stored, or 0n when there is none. */
    async lastPosition(): Promise<bigint> {
      const [row] = await run<{ position: bigint | null }>('last-position', `SELECT max(position) AS position FROM ${events}`, []);
      return row?.position ?? 0n;
    },
    async forwards(stream: string, from: bigint, to: bigint, limit: number): Promise<RecordedEvent[]> {
      return run<EventRow>('forwards', `SELECT ${columns} FROM ${events} WHERE stream = $1 AND revision >= $2 AND revision <= $3 ORDER BY revision LIMIT $4`, [
        stream,
        from,
        to,
        limit,
      ]);
    },
    async backwards(stream: string, from: bigint, limit: number): Promise<RecordedEvent[]> {
      return run<EventRow>('backwards', `SELECT ${columns} FROM ${events} WHERE stream = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`, [stream, from, limit]);
    },
    /** Events with from <= position <= to, in global order. */
    async all(from: bigint, to: bigint, limit: number): Promise<RecordedEvent[]> {
      return run<EventRow>('all', `SELECT ${columns} FROM ${events} WHERE position >= $1 AND position <= $2 ORDER BY position LIMIT $3`, [from, to, limit]);
    },
    /** Events after a position, exclusive, in global order. */
    async after(position: bigint, limit: number): Promise<RecordedEvent[]> {
      return run<EventRow>('after', `SELECT ${columns} FROM ${events} WHERE position > $1 ORDER BY position LIMIT $2`, [position, limit]);
    },
    /** Where the event with this id is stored, if it is. */
    async byId(id: string): Promise<StoredId | undefined> {
      const [row] = await run<StoredId>('by-id', `SELECT stream, revision, position, type, data FROM ${events} WHERE id = $1`, [id]);
      return row;
    },
    /** Where each of these ids is stored, if it is. */
    async byIds(ids: readonly string[]): Promise<Map<string, StoredId>> {
      const rows = await run<StoredId & { id: string }>('by-ids', `SELECT id, stream, revision, position, type, data FROM ${events} WHERE id = ANY ($1)`, [ids]);
      return new Map(rows.map(({ id, ...stored }) => [id, stored]));
    },
  };
}

export type Statements = ReturnType<typeof createStatements>;
