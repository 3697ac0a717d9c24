import type { EventStore, RecordedEvent, Subscription } from '../store';
import type { CheckpointStore, ProjectionCheckpoint } from './checkpoint-store';
import { ProjectionsClosedError, SubscriptionUnsupportedError } from './errors';
import type { Projection } from './projection';

export interface ProjectionRunnerOptions<S> {
  store: EventStore;
  projection: Projection<S>;
  checkpoints: CheckpointStore<S>;
  /** Events per committed batch: per catch-up transaction, and at most between checkpoints while following. Default 500. */
  batchSize?: number;
  /** While following, a checkpoint once no event came for this long (default 0: as soon as deliveries pause). */
  idleMs?: number;
  /** Where a projection without a checkpoint starts, exclusive (default: the start of the log). */
  fromPosition?: bigint;
}

export interface CatchUpResult {
  /** Events this call folded in and committed; 0 when the checkpoint was already current. */
  applied: number;
  /** The checkpoint afterwards: the position of the last event folded in (undefined: none). */
  position: bigint | undefined;
}

export interface ProjectionRunner<S> {
  readonly name: string;
  /** Loads the checkpoint (state and position) without reading the log; `catchUp` and `start` do it when needed. */
  load(): Promise<void>;
  /** Folds and commits every event after the checkpoint, batch by batch, each batch with its checkpoint. */
  catchUp(): Promise<CatchUpResult>;
  /**
   * Follows the log from the checkpoint: folds each event as it comes and commits every
   * `batchSize` events, after `idleMs` without one, and on `close()`. `done` rejects if
   * folding or a commit fails, or the store is closed under it (`StoreClosedError`).
   */
  start(): Subscription;
  /** Forgets the checkpoint (and what was derived with it) and folds the whole log again. */
  rebuild(): Promise<CatchUpResult>;
  /** The state after the last event folded in (possibly ahead of the checkpoint while following). */
  state(): S;
  /** The position of the last event folded in; undefined before the first. */
  position(): bigint | undefined;
  /** Resolves once the event at `position` (or a later one) has been folded in. */
  waitFor(position: bigint): Promise<void>;
  /** Commits what was folded in since the last checkpoint, if anything was. */
  checkpoint(): Promise<void>;
  /** Stops every `start()`, commits what they folded in, and refuses work from then on. */
  close(): Promise<void>;
}

interface Waiter {
  position: bigint;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The checkpointed runner. Everything it does (a catch-up batch, a delivered event, a
 * commit, a rebuild) runs one at a time, so the state, its position and the events not
 * yet committed always agree; a batch that fails leaves the checkpoint where it was.
 */
export function createProjectionRunner<S>(options: ProjectionRunnerOptions<S>): ProjectionRunner<S> {
  const { store, projection, checkpoints } = options;
  const batchSize = options.batchSize ?? 500;
  const idleMs = options.idleMs ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  if (!Number.isFinite(idleMs) || idleMs < 0) throw new RangeError(`idleMs must be a non-negative number of milliseconds, not ${idleMs}`);

  let loaded = false;
  let closed = false;
  /** The position the checkpoint store holds, as `previous` of the next commit. */
  let committed: bigint | undefined;
  let state = projection.initial();
  let position = options.fromPosition;
  let pending: RecordedEvent[] = [];
  let idle: NodeJS.Timeout | undefined;
  const waiters = new Set<Waiter>();
  const live = new Set<{ stop(): Promise<void>; fail(error: unknown): void }>();
  /** Why the last `start()` stopped, if it failed: later `waitFor`s are told at once. */
  let failed: unknown;

  let queue: Promise<unknown> = Promise.resolve();
  function serially<T>(work: () => Promise<T> | T): Promise<T> {
    const run = queue.then(() => {
      if (closed) throw new ProjectionsClosedError(projection.name);
      return work();
    });
    queue = run.catch(() => undefined);
    return run;
  }

  function adopt(checkpoint: ProjectionCheckpoint<S> | undefined): void {
    committed = checkpoint?.position;
    state = checkpoint ? checkpoint.state : projection.initial();
    position = checkpoint ? checkpoint.position : options.fromPosition;
    pending = [];
    loaded = true;
  }

  const reload = async () => adopt(await checkpoints.load());

  function reached(): void {
    for (const waiter of waiters) {
      if (position === undefined || waiter.position > position) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  }

  function rejectWaiters(error: unknown): void {
    for (const waiter of waiters) waiter.reject(error);
    waiters.clear();
  }

  async function readBatch(): Promise<RecordedEvent[]> {
    const batch: RecordedEvent[] = [];
    if (position === undefined) {
      for await (const record of store.readAll({ maxCount: batchSize })) batch.push(record);
      return batch;
    }
    // From the checkpoint itself, inclusive, and without its event: a position that is not
    // an event's is no position to read from on every store.
    const after = position;
    for await (const record of store.readAll({ fromPosition: after, maxCount: batchSize + 1 })) if (record.position > after) batch.push(record);
    return batch.slice(0, batchSize);
  }

  /** Commits the events folded in since the checkpoint; if the checkpoint moved meanwhile, starts over from it. */
  async function flush(): Promise<void> {
    clearTimeout(idle);
    const last = pending.at(-1);
    if (last === undefined) return;
    if (await checkpoints.commit({ previous: committed, batch: pending, next: { position: last.position, state } })) {
      committed = last.position;
      pending = [];
      return;
    }
    await reload();
    await foldLog();
  }

  async function foldLog(): Promise<CatchUpResult> {
    if (!loaded) await reload();
    await flush();
    let applied = 0;
    for (;;) {
      const batch = await readBatch();
      const last = batch.at(-1);
      if (last === undefined) return { applied, position };
      let next = state;
      for (const record of batch) next = projection.evolve(next, record);
      if (!(await checkpoints.commit({ previous: committed, batch, next: { position: last.position, state: next } }))) {
        await reload();
        continue;
      }
      committed = position = last.position;
      state = next;
      applied += batch.length;
      reached();
      // A short batch reached the end of the log as it stood when read.
      if (batch.length < batchSize) return { applied, position };
    }
  }

  function fold(record: RecordedEvent): Promise<void> | void {
    // Already folded in by a catch-up that read past the subscription.
    if (position !== undefined && record.position <= position) return;
    state = projection.evolve(state, record);
    position = record.position;
    pending.push(record);
    reached();
    if (pending.length >= batchSize) return flush();
    clearTimeout(idle);
    idle = setTimeout(() => {
      serially(flush).catch((error: unknown) => {
        for (const handle of live) handle.fail(error);
      });
    }, idleMs);
  }

  function start(): Subscription {
    if (closed) throw new ProjectionsClosedError(projection.name);
    const subscribeToAll = store.subscribeToAll?.bind(store);
    if (!subscribeToAll) throw new SubscriptionUnsupportedError(projection.name);
    failed = undefined;
    let subscription: Subscription | undefined;
    let stopping = false;
    let failure: unknown;
    const fail = (error: unknown) => {
      failure ??= error;
      failed = failure;
      rejectWaiters(error);
      void subscription?.close();
    };
    const done = (async () => {
      await serially(async () => {
        if (!loaded) await reload();
      });
      if (stopping) return;
      const from = position === undefined ? {} : { fromPosition: position };
      subscription = subscribeToAll(from, (record) => serially(() => fold(record)));
      await subscription.done.catch(fail);
      clearTimeout(idle);
      if (failure === undefined && stopping) await serially(flush).catch(fail);
      if (failure !== undefined) throw failure;
    })();
    done.catch(() => undefined);
    const handle = {
      fail,
      async stop() {
        stopping = true;
        await subscription?.close();
        await done.catch(() => undefined);
        live.delete(handle);
      },
    };
    live.add(handle);
    return { done, close: handle.stop };
  }

  return {
    name: projection.name,
    load: () => serially(reload),
    catchUp: () => serially(foldLog),
    start,
    rebuild: () =>
      serially(async () => {
        await checkpoints.reset();
        await reload();
        return foldLog();
      }),
    state: () => state,
    position: () => position,
    waitFor(target) {
      if (position !== undefined && position >= target) return Promise.resolve();
      if (failed !== undefined) return Promise.reject(failed);
      if (closed) return Promise.reject(new ProjectionsClosedError(projection.name));
      return new Promise<void>((resolve, reject) => waiters.add({ position: target, resolve, reject }));
    },
    checkpoint: () => serially(flush),
    async close() {
      if (closed) return;
      await Promise.all([...live].map((handle) => handle.stop()));
      closed = true;
      clearTimeout(idle);
      rejectWaiters(new ProjectionsClosedError(projection.name));
      await queue;
    },
  };
}
