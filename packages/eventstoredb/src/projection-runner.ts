import type { ExpectedRevision, RecordedEvent, Subscription } from '@custodian/core';
import { checkpointEvent, checkpointStreamOf, loadCheckpoint } from './checkpoint';
import { decodeState, encodeState, type Projection } from './projection';
import type { EventStoreDBStore } from './store';

export interface ProjectionRunnerOptions {
  /** Write a checkpoint after this many events (default 100). */
  checkpointEvery?: number;
  /** Write a checkpoint when no event came for this long after the last one (default 1000 ms). */
  checkpointAfterMs?: number;
  /** Where the checkpoint lives (default `custodian-checkpoint-<name>`). */
  checkpointStream?: string;
  /** Where a projection without a checkpoint starts, exclusive (default: the start of $all). */
  fromPosition?: bigint;
}

export interface ProjectionRunner<S> {
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
  /** Resolves when stopped; rejects if `evolve` or a checkpoint write failed. */
  readonly done: Promise<void>;
}

/**
 * Runs a projection: resumes from its checkpoint (or starts from the beginning of $all),
 * folds every later event, and now and then writes state and position together in one
 * append with the expected revision of the checkpoint stream. A restart therefore picks
 * up exactly where the last checkpoint left off, and counts nothing twice; a second
 * runner of the same name fails on its first checkpoint instead of corrupting the first.
 */
export async function startProjection<S>(store: EventStoreDBStore, projection: Projection<S>, options: ProjectionRunnerOptions = {}): Promise<ProjectionRunner<S>> {
  const stream = options.checkpointStream ?? checkpointStreamOf(projection.name);
  const every = options.checkpointEvery ?? 100;
  const idleMs = options.checkpointAfterMs ?? 1000;

  const stored = await loadCheckpoint(store, stream);
  let state = stored ? decodeState(projection, stored.state) : projection.initial;
  let position = stored ? stored.position : options.fromPosition;
  let checkpointed = stored?.position;
  let expected: ExpectedRevision = stored ? stored.revision : 'no_stream';
  // The stream only ever needs its last event; older checkpoints can be scavenged.
  if (!stored) await store.setStreamMaxCount(stream, 1);

  let sinceCheckpoint = 0;
  let idle: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failure: unknown;
  const waiters = new Set<{ position: bigint; resolve: () => void; reject: (error: unknown) => void }>();

  function checkpoint(): Promise<void> {
    clearTimeout(idle);
    // Encoded now, so the state written is the one that goes with this position.
    const at = position;
    const text = encodeState(projection, state);
    writing = writing.then(async () => {
      if (at === undefined || at === checkpointed) return;
      const result = await store.append(stream, [checkpointEvent(at, text)], expected);
      expected = result.nextRevision;
      checkpointed = at;
    });
    sinceCheckpoint = 0;
    return writing;
  }

  async function fold(event: RecordedEvent): Promise<void> {
    state = projection.evolve(state, event);
    position = event.position;
    for (const waiter of waiters) {
      if (waiter.position > event.position) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
    if (++sinceCheckpoint >= every) return checkpoint();
    clearTimeout(idle);
    idle = setTimeout(() => void checkpoint().catch(fail), idleMs);
  }

  const subscription: Subscription = store.subscribeToAll({ ...(position === undefined ? {} : { fromPosition: position }) }, fold);
  let stopping = false;

  function fail(error: unknown): void {
    failure ??= error;
    for (const waiter of waiters) waiter.reject(error);
    waiters.clear();
    void subscription.close();
  }

  const done = (async () => {
    try {
      await subscription.done;
    } catch (error) {
      fail(error);
    }
    clearTimeout(idle);
    if (stopping && failure === undefined) await checkpoint().catch(fail);
    await writing.catch(fail);
    for (const waiter of waiters) waiter.reject(failure ?? new Error(`projection ${projection.name} stopped`));
    waiters.clear();
    if (failure !== undefined) throw failure;
  })();
  done.catch(() => undefined);

  return {
    name: projection.name,
    state: () => state,
    position: () => position,
    waitFor(target) {
      if (failure !== undefined) return Promise.reject(failure);
      if (position !== undefined && position >= target) return Promise.resolve();
      return new Promise<void>((resolve, reject) => waiters.add({ position: target, resolve, reject }));
    },
    checkpoint,
    async stop() {
      stopping = true;
      await subscription.close();
      await done;
    },
    done,
  };
}
