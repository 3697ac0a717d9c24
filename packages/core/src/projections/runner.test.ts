import { describe, expect, it } from '@jest/globals';
import { runProjectionRunnerConformance } from '@custodian/testing';
import { InMemoryEventStore, type EventStore, type RecordedEvent } from '../store';
import { createInMemoryCheckpointStore, type CheckpointStore } from './checkpoint-store';
import { ProjectionsClosedError, SubscriptionUnsupportedError } from './errors';
import type { Projection } from './projection';
import { createProjectionRunner } from './runner';

const kept = new Map<string, CheckpointStore<never>>();
runProjectionRunnerConformance('the in-memory store', {
  store: () => new InMemoryEventStore(),
  checkpoints(_store, projection) {
    // One checkpoint per projection name, outliving the runner, as a restarted process finds it.
    const existing = kept.get(projection.name) ?? createInMemoryCheckpointStore<never>();
    kept.set(projection.name, existing);
    return existing;
  },
  close: (store) => store.close(),
});

const counting: Projection<number> = { name: 'count', initial: () => 0, evolve: (n) => n + 1 };
const event = (i: number) => ({ id: `e-${i}`, type: 'Counted', data: Buffer.from('{}') });

async function storeWith(count: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < count; i++) await store.append(`s-${i}`, [event(i)], 'no_stream');
  return store;
}

/** A checkpoint store that another runner moves on, once, just before this runner's first commit. */
function movedOnce(inner: CheckpointStore<number>, to: { position: bigint; state: number }): CheckpointStore<number> {
  let moved = false;
  return {
    ...inner,
    async commit(commit) {
      if (!moved) {
        moved = true;
        await inner.commit({ previous: commit.previous, batch: [], next: to });
      }
      return inner.commit(commit);
    },
  };
}

describe('createProjectionRunner', () => {
  it('refuses a batch size that is not a positive integer, and a negative idle time', () => {
    const options = { store: new InMemoryEventStore(), projection: counting, checkpoints: createInMemoryCheckpointStore<number>() };
    expect(() => createProjectionRunner({ ...options, batchSize: 0 })).toThrow(RangeError);
    expect(() => createProjectionRunner({ ...options, batchSize: 1.5 })).toThrow(RangeError);
    expect(() => createProjectionRunner({ ...options, idleMs: -1 })).toThrow(RangeError);
  });

  it('starts over from the checkpoint when another runner moved it while a batch was read', async () => {
    const store = await storeWith(6);
    const checkpoints = movedOnce(createInMemoryCheckpointStore<number>(), { position: 3n, state: 4 });
    const runner = createProjectionRunner({ store, projection: counting, checkpoints, batchSize: 10 });
    // Its first batch (all six) is refused; it reloads 3n (state 4) and folds the two after it.
    expect(await runner.catchUp()).toEqual({ applied: 2, position: 5n });
    expect(runner.state()).toBe(6);
  });

  it('commits every batchSize events while following, and the rest on close', async () => {
    const store = await storeWith(0);
    const checkpoints = createInMemoryCheckpointStore<number>();
    const commits: bigint[] = [];
    const watched: CheckpointStore<number> = {
      ...checkpoints,
      async commit(commit) {
        commits.push(commit.next.position);
        return checkpoints.commit(commit);
      },
    };
    const runner = createProjectionRunner({ store, projection: counting, checkpoints: watched, batchSize: 2, idleMs: 60_000 });
    const live = runner.start();
    for (let i = 0; i < 5; i++) await store.append(`s-${i}`, [event(i)], 'no_stream');
    await runner.waitFor(4n);
    expect(runner.state()).toBe(5);
    expect(commits).toEqual([1n, 3n]);
    await live.close();
    expect(commits).toEqual([1n, 3n, 4n]);
    expect(await checkpoints.load()).toEqual({ position: 4n, state: 5 });
  });

  it('stops following with the error of a failing evolve, its checkpoint before the bad event', async () => {
    const store = await storeWith(0);
    const checkpoints = createInMemoryCheckpointStore<number>();
    const picky: Projection<number> = {
      ...counting,
      evolve(n, record: RecordedEvent) {
        if (record.type === 'Poison') throw new Error('poisoned event');
        return n + 1;
      },
    };
    const runner = createProjectionRunner({ store, projection: picky, checkpoints, batchSize: 1 });
    const live = runner.start();
    await store.append('s-1', [event(1)], 'no_stream');
    await runner.waitFor(0n);
    await store.append('s-2', [{ ...event(2), type: 'Poison' }], 'no_stream');
    await expect(live.done).rejects.toThrow('poisoned event');
    await expect(runner.waitFor(1n)).rejects.toThrow('poisoned event');
    expect(await checkpoints.load()).toEqual({ position: 0n, state: 1 });
  });

  it('ends a live run with StoreClosedError when the store is closed under it', async () => {
    const store = await storeWith(2);
    const runner = createProjectionRunner({ store, projection: counting, checkpoints: createInMemoryCheckpointStore<number>() });
    const live = runner.start();
    await runner.waitFor(1n);
    await store.close();
    await expect(live.done).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });

  it('refuses work once closed, and start() on a store it cannot follow', async () => {
    const store = await storeWith(1);
    const runner = createProjectionRunner({ store, projection: counting, checkpoints: createInMemoryCheckpointStore<number>() });
    const live = runner.start();
    await runner.close();
    await expect(live.done).resolves.toBeUndefined();
    await expect(runner.catchUp()).rejects.toBeInstanceOf(ProjectionsClosedError);
    await expect(runner.rebuild()).rejects.toBeInstanceOf(ProjectionsClosedError);
    expect(() => runner.start()).toThrow(ProjectionsClosedError);

    const unfollowable: EventStore = {
      append: (s, e, x) => store.append(s, e, x),
      readStream: (s, o) => store.readStream(s, o),
      readAll: (o) => store.readAll(o),
      close: () => store.close(),
    };
    const other = createProjectionRunner({ store: unfollowable, projection: counting, checkpoints: createInMemoryCheckpointStore<number>() });
    expect(() => other.start()).toThrow(SubscriptionUnsupportedError);
  });
});
