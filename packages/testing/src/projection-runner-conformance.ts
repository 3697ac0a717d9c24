import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createProjectionRunner, type CheckpointStore, type EventStore, type Projection } from '@custodian/core';
import { testEvent } from './event-store-conformance';

/** Counts the 'Counted' events of its own streams, and sums their numbers, so a miss or a repeat shows; throws on 'Poison'. */
export interface Tally {
  count: number;
  sum: number;
}

export interface ProjectionRunnerConformanceSetup<E extends EventStore = EventStore> {
  /** A store for one test; it may hold other events (each test folds only its own streams). */
  store(): E | Promise<E>;
  /**
   * A checkpoint store for `projection`, kept where the adapter keeps it: a second call
   * with the same projection is what a restarted process would open.
   */
  checkpoints(store: E, projection: Projection<Tally>): CheckpointStore<Tally> | Promise<CheckpointStore<Tally>>;
  /** Closes what the test opened. */
  close?(store: E): Promise<void>;
}

function tally(prefix: string): Projection<Tally> {
  return {
    name: `tally-${randomUUID()}`,
    initial: () => ({ count: 0, sum: 0 }),
    evolve(state, record) {
      if (!record.stream.startsWith(prefix)) return state;
      if (record.type === 'Poison') throw new Error('poisoned event');
      if (record.type !== 'Counted') return state;
      const { i } = JSON.parse(Buffer.from(record.data).toString('utf8')) as { i: number };
      return { count: state.count + 1, sum: state.sum + i };
    },
  };
}

/** The store, except that reading stops with an error after `reads` of the test's events, as a process dying mid-catch-up would. */
function dyingAfter(store: EventStore, prefix: string, reads: number): EventStore {
  let left = reads;
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream, options) => store.readStream(stream, options),
    async *readAll(options) {
      for await (const record of store.readAll(options)) {
        if (record.stream.startsWith(prefix) && left-- <= 0) throw new Error('the process died');
        yield record;
      }
    },
    close: () => store.close(),
  };
}

const sumTo = (n: number) => (n * (n - 1)) / 2;

/**
 * What every checkpoint store promises under core's runner: a restart resumes from the
 * checkpoint and folds nothing twice, a failing batch leaves the checkpoint as it was,
 * and a rebuild ends where a catch-up does.
 */
export function runProjectionRunnerConformance<E extends EventStore>(name: string, setup: ProjectionRunnerConformanceSetup<E>): void {
  async function withStore(test: (store: E, prefix: string, fromPosition: bigint) => Promise<void>): Promise<void> {
    const store = await setup.store();
    try {
      // Each test starts after a marker of its own, so it folds only what it appends.
      const { position } = await store.append(`marker-${randomUUID()}`, [testEvent('Marker')], 'no_stream');
      await test(store, `counted-${randomUUID()}`, position);
    } finally {
      await setup.close?.(store);
    }
  }

  async function appendCounted(store: EventStore, prefix: string, from: number, count: number): Promise<bigint> {
    let position = 0n;
    for (let i = from; i < from + count; i++) position = (await store.append(`${prefix}-${i % 3}`, [testEvent('Counted', { i })], 'any')).position;
    return position;
  }

  describe(`projection runner on ${name}`, () => {
    it('resumes from its checkpoint after a crash, counting nothing twice', () =>
      withStore(async (store, prefix, fromPosition) => {
        const projection = tally(prefix);
        const last = await appendCounted(store, prefix, 0, 10);
        const first = createProjectionRunner({
          store: dyingAfter(store, prefix, 7),
          projection,
          checkpoints: await setup.checkpoints(store, projection),
          batchSize: 3,
          fromPosition,
        });
        await expect(first.catchUp()).rejects.toThrow('the process died');

        // Two batches of three were committed; the third died before its commit.
        const reopened = await setup.checkpoints(store, projection);
        expect((await reopened.load())?.state).toEqual({ count: 6, sum: sumTo(6) });
        const second = createProjectionRunner({ store, projection, checkpoints: reopened, batchSize: 3, fromPosition });
        expect(await second.catchUp()).toEqual({ applied: 4, position: last });
        expect(second.state()).toEqual({ count: 10, sum: sumTo(10) });

        // Restarted once more, following the log: only what is new is folded in.
        const third = createProjectionRunner({ store, projection, checkpoints: await setup.checkpoints(store, projection), batchSize: 3, fromPosition });
        const live = third.start();
        const later = await appendCounted(store, prefix, 10, 2);
        await third.waitFor(later);
        await live.close();
        await expect(live.done).resolves.toBeUndefined();
        expect(await (await setup.checkpoints(store, projection)).load()).toEqual({ position: later, state: { count: 12, sum: sumTo(12) } });
      }));

    it('leaves the checkpoint where it was when a batch fails, and stays there', () =>
      withStore(async (store, prefix, fromPosition) => {
        const projection = tally(prefix);
        const good = await appendCounted(store, prefix, 0, 2);
        await store.append(`${prefix}-poison`, [testEvent('Poison')], 'no_stream');
        await appendCounted(store, prefix, 2, 2);
        const checkpoints = await setup.checkpoints(store, projection);
        const runner = createProjectionRunner({ store, projection, checkpoints, batchSize: 2, fromPosition });
        await expect(runner.catchUp()).rejects.toThrow('poisoned event');
        const stored = { position: good, state: { count: 2, sum: 1 } };
        expect(await checkpoints.load()).toEqual(stored);
        expect(runner.state()).toEqual(stored.state);
        await expect(runner.catchUp()).rejects.toThrow('poisoned event');
        expect(await (await setup.checkpoints(store, projection)).load()).toEqual(stored);
      }));

    it('rebuilds to exactly what a catch-up from nothing reaches', () =>
      withStore(async (store, prefix, fromPosition) => {
        const projection = tally(prefix);
        await appendCounted(store, prefix, 0, 5);
        const runner = createProjectionRunner({ store, projection, checkpoints: await setup.checkpoints(store, projection), batchSize: 2, fromPosition });
        await runner.catchUp();
        const last = await appendCounted(store, prefix, 5, 3);
        const rebuilt = await runner.rebuild();
        expect(rebuilt).toEqual({ applied: 8, position: last });
        const fresh = tally(prefix);
        const reference = createProjectionRunner({ store, projection: fresh, checkpoints: await setup.checkpoints(store, fresh), batchSize: 4, fromPosition });
        expect(await reference.catchUp()).toEqual(rebuilt);
        expect(runner.state()).toEqual({ count: 8, sum: sumTo(8) });
        expect(reference.state()).toEqual(runner.state());
        expect(await (await setup.checkpoints(store, projection)).load()).toEqual({ position: last, state: runner.state() });
      }));
  });
}
