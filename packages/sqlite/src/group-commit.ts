import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { AppendResult, EventToAppend, ExpectedRevision } from '@custodian/core';

/**
 * `false` writes each append in its own transaction, as soon as it is made. Otherwise the
 * appends made in one turn of the event loop share one transaction and one fsync, up to
 * `maxBatch` appends per transaction (more wait for the next one).
 */
export const GroupCommitSetting = z.union([z.literal(false), z.strictObject({ maxBatch: z.number().int().min(1).max(100_000).default(256) })]).default({ maxBatch: 256 });

export type GroupCommitSetting = z.input<typeof GroupCommitSetting>;

/** Writes one append inside the caller's transaction: checks its expected revision and ids, inserts, or throws having written nothing. */
export type WriteAppend = (stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) => AppendResult;

export interface AppendWriter {
  /** Resolves once the append's transaction has committed (and been fsynced); rejects with its own refusal only. */
  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Writes every append still waiting for its turn, at once (before the connection closes). */
  flush(): void;
}

interface Waiting {
  stream: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { result: AppendResult } | { error: unknown };

/** Each append in its own IMMEDIATE transaction, written before `append` returns. */
export function createSingleWriter(database: Database.Database, write: WriteAppend, committed: () => void): AppendWriter {
  const transaction = database.transaction(write);
  return {
    append(stream, events, expected) {
      const result = transaction.immediate(stream, events, expected);
      committed();
      return Promise.resolve(result);
    },
    flush() {},
  };
}

/**
 * Group commit. Appends made in the same turn of the event loop wait for one
 * `setImmediate`, then are written in one IMMEDIATE transaction, each in its own savepoint
 * (better-sqlite3 nests a transaction function as a SAVEPOINT): a refused append rolls
 * back to its savepoint and rejects its own caller; the others go on, each seeing those
 * before it, so two appends to one stream in a group are checked in order. Every promise
 * settles only after COMMIT returned, so with synchronous=FULL an acknowledged append is
 * on disk, as before. The cost of the commit and its fsync is shared by the whole group.
 */
export function createGroupWriter(database: Database.Database, write: WriteAppend, maxBatch: number, committed: () => void): AppendWriter {
  const one = database.transaction(write);
  const group = database.transaction((batch: readonly Waiting[]): Outcome[] =>
    batch.map((waiting) => attempt(database, () => one(waiting.stream, waiting.events, waiting.expected))),
  );
  const solo = ({ stream, events, expected }: Waiting): Outcome => ({ result: one.immediate(stream, events, expected) });
  let queue: Waiting[] = [];
  let scheduled = false;

  const writeGroup = (batch: readonly Waiting[]) => {
    let outcomes: Outcome[];
    try {
      // A group of one needs no savepoint: its transaction is its own, and so is its refusal.
      outcomes = batch.length === 1 ? [solo(batch[0] as Waiting)] : group.immediate(batch);
    } catch (error) {
      // BEGIN, COMMIT, a failure that ended the transaction, or the refusal of a group of one: nothing of the group is stored.
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    committed();
    batch.forEach((waiting, i) => settle(waiting, outcomes[i] as Outcome));
  };
  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      writeGroup(batch);
    }
  };
  return {
    append(stream, events, expected) {
      // The port stores the bytes given at the call: copied now, as the caller may reuse its buffers before the group is written.
      const copied = events.map(({ id, type, data }) => ({ id, type, data: Buffer.from(data) }));
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ stream, events: copied, expected, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        setImmediate(flush);
      });
    },
    flush,
  };
}

/** Runs one append in its savepoint; a refusal that left the group's transaction open is its own, any other ends the group. */
function attempt(database: Database.Database, run: () => AppendResult): Outcome {
  try {
    return { result: run() };
  } catch (error) {
    if (!database.inTransaction) throw error;
    return { error };
  }
}

function settle(waiting: Waiting, outcome: Outcome): void {
  if ('result' in outcome) waiting.resolve(outcome.result);
  else waiting.reject(outcome.error);
}
