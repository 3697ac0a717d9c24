import type { RecordedEvent } from '../store';

/** What a projection had folded in: the position of the last event (inclusive), and the state after it. */
export interface ProjectionCheckpoint<S> {
  readonly position: bigint;
  readonly state: S;
}

/** One batch, to be made part of the checkpoint together with it. */
export interface CheckpointCommit<S> {
  /** The checkpoint's position when the batch was read after it (undefined: there was none). */
  readonly previous: bigint | undefined;
  /** Every event after `previous` that led to `next`, in global order; never empty. */
  readonly batch: readonly RecordedEvent[];
  readonly next: ProjectionCheckpoint<S>;
}

/**
 * Where a projection's checkpoint lives. `commit` is all or nothing: the position, the
 * state and whatever the store derives from the batch (a SQL store's table rows) land
 * together, in one transaction or one append, or none of them does.
 */
export interface CheckpointStore<S> {
  /** The last checkpoint committed; undefined when there is none (or since `reset`). */
  load(): Promise<ProjectionCheckpoint<S> | undefined>;
  /**
   * Commits the batch and its checkpoint. Resolves false, having saved nothing, when the
   * stored checkpoint is no longer at `previous` (another runner or a rebuild moved it):
   * the runner then loads again. A store may instead reject (EventStoreDB's expected
   * revision does), which stops the runner.
   */
  commit(commit: CheckpointCommit<S>): Promise<boolean>;
  /** Forgets the checkpoint, and anything derived with it, so the next `load` finds none. */
  reset(): Promise<void>;
}

/** A checkpoint store in memory: it outlives a runner (a restart), not the process. */
export function createInMemoryCheckpointStore<S>(): CheckpointStore<S> {
  let saved: ProjectionCheckpoint<S> | undefined;
  return {
    load: () => Promise.resolve(saved),
    commit({ previous, next }) {
      if (saved?.position !== previous) return Promise.resolve(false);
      saved = next;
      return Promise.resolve(true);
    },
    reset() {
      saved = undefined;
      return Promise.resolve();
    },
  };
}
