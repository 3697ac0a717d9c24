import { checkExpectedRevision, checkRepeatedIds } from '@custodian/core/store-kit';
import type { AppendResult, EventToAppend, ExpectedRevision } from '@custodian/core';
import { ConnectionLostError } from './errors';
import type { BatchInput, BatchOutcome, Statements } from './statements';

interface Pending {
  stream: string;
  /** Copied at the append: the caller may change its buffers while the append waits for its batch. */
  events: { id: string; type: string; data: Buffer }[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export interface AppendWriter {
  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Resolves once every append accepted so far has been answered. */
  settle(): Promise<void>;
}

function flatten(batch: readonly Pending[]): BatchInput {
  const input: BatchInput = { streams: [], expected: [], counts: [], ids: [], types: [], payloads: [] };
  for (const append of batch) {
    input.streams.push(append.stream);
    input.expected.push(String(append.expected));
    input.counts.push(append.events.length);
    for (const event of append.events) {
      input.ids.push(event.id);
      input.types.push(event.type);
      input.payloads.push(event.data);
    }
  }
  return input;
}

/**
 * Appends made while a batch is on its way go together in the next one: one round trip and
 * one commit for all, each append still accepted or refused on its own. An append alone pays
 * one round trip; many at once share it. One batch at a time, so the appends of this store
 * reach the server in the order they were made.
 */
export function createAppendWriter(sql: Statements, maxBatch: number, committed: () => void): AppendWriter {
  const queue: Pending[] = [];
  let running: Promise<void> | undefined;

  /** A repeated id: a retry of an append that landed gets its original result; anything else is refused, as every store does. */
  async function answerRepeat(append: Pending): Promise<AppendResult> {
    const stored = await sql.byIds(append.events.map((event) => event.id));
    const retried = checkRepeatedIds(append.stream, append.events, append.expected, (id) => stored.get(id));
    // Ids are never deleted, so one found by the batch is found again here.
    if (retried === undefined) throw new Error(`an id of the append to ${append.stream} was reported stored, then not found`);
    return retried;
  }

  async function answer(append: Pending, outcome: BatchOutcome | undefined): Promise<AppendResult> {
    if (outcome?.outcome === 'appended' && outcome.last_revision !== null && outcome.last_position !== null)
      return { nextRevision: outcome.last_revision, position: outcome.last_position };
    if (outcome?.outcome === 'repeated') return answerRepeat(append);
    if (outcome?.outcome === 'conflict') checkExpectedRevision(append.stream, append.expected, outcome.last_revision ?? 'no_stream');
    throw new Error(`append_batch gave no answer that fits the append to ${append.stream}`);
  }

  async function write(batch: Pending[]): Promise<void> {
    let outcomes: BatchOutcome[];
    try {
      outcomes = await sql.appendBatch(flatten(batch));
    } catch (error) {
      for (const append of batch) append.reject(error instanceof ConnectionLostError ? new ConnectionLostError('append', error.reason, append.stream) : error);
      return;
    }
    if (outcomes.some((outcome) => outcome.outcome === 'appended')) committed();
    await Promise.all(batch.map((append, i) => answer(append, outcomes[i]).then(append.resolve, append.reject)));
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      // Let the appends made in this turn of the event loop join the batch, those made by
      // callers answered by the last batch among them.
      await new Promise((resolve) => setImmediate(resolve));
      await write(queue.splice(0, maxBatch));
    }
    running = undefined;
  }

  return {
    append(stream, events, expected) {
      // Duplicates within the append are refused before anything is sent.
      checkRepeatedIds(stream, events, expected, () => undefined);
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ stream, events: events.map(({ id, type, data }) => ({ id, type, data: Buffer.from(data) })), expected, resolve, reject });
        running ??= drain();
      });
    },
    async settle() {
      while (running !== undefined) await running;
    },
  };
}
