import { randomUUID } from 'node:crypto';
import { decodeState, encodeState, StreamNotFoundError, type CheckpointStore, type EventToAppend, type ExpectedRevision, type Projection } from '@custodian/core';
import type { EventStoreDBStore } from './store';

/*
 * A checkpoint is one event holding the projection's state and the position of the last
 * event folded into it, so state and position are written together or not at all. Its
 * `$`-prefixed type marks it as EventStoreDB's kind of record: the store leaves it out of
 * readAll and subscriptions, so neither this projection nor any other sees checkpoints.
 */

export const CHECKPOINT_TYPE = '$custodian-checkpoint';

export function checkpointStreamOf(projectionName: string): string {
  return `custodian-checkpoint-${projectionName}`;
}

/** A reset is a checkpoint event without a position: the stream keeps only its last event, and that says "start over". */
interface CheckpointBody {
  position?: string;
  state?: string;
}

function checkpointEvent(body: CheckpointBody): EventToAppend {
  return { id: randomUUID(), type: CHECKPOINT_TYPE, data: Buffer.from(JSON.stringify(body), 'utf8') };
}

export interface EventStoreDBCheckpointOptions {
  /** Where the checkpoint lives (default `custodian-checkpoint-<name>`). */
  stream?: string;
}

/**
 * The checkpoint in a stream of its own, limited to one readable event (`$maxCount: 1`).
 * Each commit appends with the stream's expected revision as last read or written, so a
 * second runner of the same name fails (`WrongExpectedRevisionError`) instead of
 * overwriting the first one's checkpoint.
 */
export function createEventStoreDBCheckpointStore<S>(store: EventStoreDBStore, projection: Projection<S>, options: EventStoreDBCheckpointOptions = {}): CheckpointStore<S> {
  const stream = options.stream ?? checkpointStreamOf(projection.name);
  let expected: ExpectedRevision = 'no_stream';

  async function append(body: CheckpointBody): Promise<void> {
    expected = (await store.append(stream, [checkpointEvent(body)], expected)).nextRevision;
  }

  return {
    async load() {
      try {
        for await (const event of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
          expected = event.revision;
          const body = JSON.parse(Buffer.from(event.data).toString('utf8')) as CheckpointBody;
          if (body.position === undefined || body.state === undefined) return undefined;
          return { position: BigInt(body.position), state: decodeState(projection, body.state) };
        }
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      expected = 'no_stream';
      // The stream only ever needs its last event; older checkpoints can be scavenged.
      await store.setStreamMaxCount(stream, 1);
      return undefined;
    },
    async commit({ next }) {
      await append({ position: next.position.toString(), state: encodeState(projection, next.state) });
      return true;
    },
    reset: () => append({}),
  };
}
