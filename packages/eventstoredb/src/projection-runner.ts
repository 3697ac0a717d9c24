import { createProjectionRunner, type Projection } from '@custodian/core';
import { createEventStoreDBCheckpointStore } from './checkpoint';
import type { EventStoreDBStore } from './store';

export interface StartProjectionOptions {
  /** Write a checkpoint after this many events (default 100). */
  checkpointEvery?: number;
  /** Write a checkpoint when no event came for this long after the last one (default 1000 ms). */
  checkpointAfterMs?: number;
  /** Where the checkpoint lives (default `custodian-checkpoint-<name>`). */
  checkpointStream?: string;
  /** Where a projection without a checkpoint starts, exclusive (default: the start of $all). */
  fromPosition?: bigint;
}

/** A projection followed live, its checkpoint in EventStoreDB. */
export interface RunningProjection<S> {
  readonly name: string;
  /** The state after the last event folded in. */
  state(): S;
  /** The position of the last event folded in; undefined before the first. */
  position(): bigint | undefined;
  /** Resolves once the event at `position` (or a later one) has been folded in. */
  waitFor(position: bigint): Promise<void>;
  /** Writes a checkpoint now, if anything happened since the last. */
  checkpoint(): Promise<void>;
  /** Stops following $all and writes a last checkpoint. */
  stop(): Promise<void>;
  /** Resolves when stopped; rejects if `evolve` or a checkpoint write failed, or the store was closed under it. */
  readonly done: Promise<void>;
}

/**
 * Core's runner with the checkpoint in EventStoreDB: resumes from the checkpoint (or the
 * start of $all), folds every later event, and now and then writes state and position
 * together in one append. A restart picks up exactly where the last checkpoint left off.
 */
export async function startProjection<S>(store: EventStoreDBStore, projection: Projection<S>, options: StartProjectionOptions = {}): Promise<RunningProjection<S>> {
  const runner = createProjectionRunner({
    store,
    projection,
    checkpoints: createEventStoreDBCheckpointStore(store, projection, options.checkpointStream === undefined ? {} : { stream: options.checkpointStream }),
    batchSize: options.checkpointEvery ?? 100,
    idleMs: options.checkpointAfterMs ?? 1000,
    ...(options.fromPosition !== undefined && { fromPosition: options.fromPosition }),
  });
  await runner.load();
  const live = runner.start();
  return {
    name: projection.name,
    state: runner.state,
    position: runner.position,
    waitFor: runner.waitFor,
    checkpoint: runner.checkpoint,
    async stop() {
      await live.close();
      await live.done;
    },
    done: live.done,
  };
}
