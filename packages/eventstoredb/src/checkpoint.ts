import { randomUUID } from 'node:crypto';
import { StreamNotFoundError, type EventStore, type EventToAppend } from '@custodian/core';

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

export interface StoredCheckpoint {
  /** The checkpoint stream's revision: the expected revision of the next checkpoint. */
  revision: bigint;
  position: bigint;
  state: string;
}

interface CheckpointBody {
  position: string;
  state: string;
}

export function checkpointEvent(position: bigint, state: string): EventToAppend {
  const body: CheckpointBody = { position: position.toString(), state };
  return { id: randomUUID(), type: CHECKPOINT_TYPE, data: Buffer.from(JSON.stringify(body), 'utf8') };
}

export async function loadCheckpoint(store: EventStore, stream: string): Promise<StoredCheckpoint | undefined> {
  try {
    for await (const event of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
      const body = JSON.parse(Buffer.from(event.data).toString('utf8')) as CheckpointBody;
      return { revision: event.revision, position: BigInt(body.position), state: body.state };
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return undefined;
}
