import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { StoreClosedError, WrongExpectedRevisionError, type Projection, type RecordedEvent } from '@custodian/core';
import { collect, runProjectionRunnerConformance, testEvent } from '@custodian/testing';
import { CHECKPOINT_TYPE, checkpointStreamOf, createEventStoreDBCheckpointStore } from '../../checkpoint';
import { startProjection } from '../../projection-runner';
import { createEventStoreDBStore, type EventStoreDBStore } from '../../store';
import { namespaced } from '../namespaced-store';
import type { TestEnvironment } from './environment';

interface Count {
  count: number;
}

/** Counts the 'Counted' events of streams that start with `prefix`; throws on 'Poison'. */
function counter(prefix: string, name = `counter-${randomUUID()}`): Projection<Count> {
  return {
    name,
    initial: () => ({ count: 0 }),
    evolve(state, event) {
      if (!event.stream.startsWith(prefix)) return state;
      if (event.type === 'Poison') throw new Error('poisoned event');
      return event.type === 'Counted' ? { count: state.count + 1 } : state;
    },
  };
}

async function appendCounted(store: EventStoreDBStore, prefix: string, count: number): Promise<bigint> {
  let position = 0n;
  for (let i = 0; i < count; i++) position = (await store.append(`${prefix}-${i % 3}`, [testEvent('Counted', { i })], 'any')).position;
  return position;
}

async function readCheckpoints(store: EventStoreDBStore, projection: string): Promise<RecordedEvent[]> {
  return collect(store.readStream(checkpointStreamOf(projection)));
}

const bodyOf = (event: RecordedEvent) => JSON.parse(Buffer.from(event.data).toString('utf8')) as { position: string; state: string };

export function describeProjectionRunner(env: TestEnvironment): void {
  const store = (): EventStoreDBStore => createEventStoreDBStore(env.client(), { closeClient: false });
  // Each projection starts after a marker, so it folds only what its test appends.
  const now = async (events: EventStoreDBStore) => (await events.append(`marker-${randomUUID()}`, [testEvent('Marker')], 'no_stream')).position;

  // Core's runner over EventStoreDB checkpoints. The log is namespaced per test (it holds
  // every other suite's events too); the checkpoint streams are the server's own.
  runProjectionRunnerConformance('EventStoreDB checkpoints', {
    store: () => namespaced(store()),
    checkpoints: (_events, projection) => createEventStoreDBCheckpointStore(store(), projection),
  });

  describe('projection runner', () => {
    it('folds every event and keeps state and position together in one checkpoint event', async () => {
      const events = store();
      const prefix = `counted-${randomUUID()}`;
      const projection = counter(prefix);
      const runner = await startProjection(events, projection, { checkpointEvery: 5, checkpointAfterMs: 60_000, fromPosition: await now(events) });
      const last = await appendCounted(events, prefix, 12);
      await runner.waitFor(last);
      expect(runner.state()).toEqual({ count: 12 });
      await runner.stop();

      const checkpoints = await readCheckpoints(events, projection.name);
      // $maxCount 1: only the latest is readable, though three were written (5, 10, and at stop).
      expect(checkpoints).toHaveLength(1);
      const [latest] = checkpoints as [RecordedEvent];
      expect(latest.type).toBe(CHECKPOINT_TYPE);
      // On a shared server, other writers' events are folded (and counted towards checkpoints) too.
      if (!env.target().real) expect(latest.revision).toBe(2n);
      expect(bodyOf(latest)).toEqual({ position: runner.position()?.toString(), state: JSON.stringify({ count: 12 }) });
      expect(BigInt(bodyOf(latest).position) >= last).toBe(true);
      const all = await collect(events.readAll({ fromPosition: last }));
      expect(all.some((e) => e.stream === checkpointStreamOf(projection.name))).toBe(false);
    });

    it('resumes after a crash from its last checkpoint and counts nothing twice', async () => {
      const events = store();
      const prefix = `counted-${randomUUID()}`;
      const projection = counter(prefix);
      const doomed = createEventStoreDBStore(env.connect());
      const first = await startProjection(doomed, projection, { checkpointEvery: 4, checkpointAfterMs: 60_000, fromPosition: await now(events) });
      await first.waitFor(await appendCounted(events, prefix, 10));
      // The process dies: its store goes, no last checkpoint is written.
      await doomed.close();
      await expect(first.done).rejects.toBeInstanceOf(StoreClosedError);
      const last = await appendCounted(events, prefix, 5);

      const [stored] = await readCheckpoints(events, projection.name);
      const second = await startProjection(events, projection, { checkpointEvery: 4, checkpointAfterMs: 60_000 });
      // Taken at once, before the events after the checkpoint arrive.
      const resumed = second.state();
      expect(resumed).toEqual(JSON.parse(bodyOf(stored as RecordedEvent).state));
      // Checkpoints every 4 events: the crash lost the last 2 of the 10, which are folded again.
      if (!env.target().real) expect(resumed).toEqual({ count: 8 });
      await second.waitFor(last);
      expect(second.state()).toEqual({ count: 15 });
      await second.stop();
    });

    it('lets only one of two runners of the same name write checkpoints', async () => {
      const events = store();
      const prefix = `counted-${randomUUID()}`;
      const projection = counter(prefix);
      const fromPosition = await now(events);
      const runners = await Promise.all([1, 2].map(() => startProjection(events, projection, { checkpointEvery: 1, fromPosition })));
      await appendCounted(events, prefix, 1);
      const first = await Promise.race(
        runners.map((runner, index) =>
          runner.done.then(
            () => ({ index, error: undefined }),
            (error: unknown) => ({ index, error }),
          ),
        ),
      );
      expect(first.error).toBeInstanceOf(WrongExpectedRevisionError);
      // The other one goes on, and stops cleanly.
      await runners[1 - first.index]?.stop();
      expect(bodyOf((await readCheckpoints(events, projection.name))[0] as RecordedEvent).state).toBe(JSON.stringify({ count: 1 }));
    });

    it('writes a checkpoint once events stop coming', async () => {
      const events = store();
      const prefix = `counted-${randomUUID()}`;
      const projection = counter(prefix);
      const runner = await startProjection(events, projection, { checkpointEvery: 1000, checkpointAfterMs: 20, fromPosition: await now(events) });
      const last = await appendCounted(events, prefix, 3);
      await runner.waitFor(last);
      let checkpoints: RecordedEvent[] = [];
      for (let tries = 0; tries < 100 && checkpoints.length === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        checkpoints = await readCheckpoints(events, projection.name).catch(() => []);
      }
      const [checkpoint] = checkpoints.map(bodyOf);
      expect(checkpoint?.state).toBe(JSON.stringify({ count: 3 }));
      expect(BigInt(checkpoint?.position ?? 0) >= last).toBe(true);
      await runner.stop();
    });

    it('stops with the error of a failing evolve, its checkpoint still before the bad event', async () => {
      const events = store();
      const prefix = `counted-${randomUUID()}`;
      const projection = counter(prefix);
      const runner = await startProjection(events, projection, { checkpointEvery: 1, fromPosition: await now(events) });
      const good = await appendCounted(events, prefix, 2);
      await runner.waitFor(good);
      await events.append(`${prefix}-poison`, [testEvent('Poison')], 'no_stream');
      await expect(runner.done).rejects.toThrow('poisoned event');
      await expect(runner.waitFor(good + 1n)).rejects.toThrow('poisoned event');
      const [checkpoint] = await readCheckpoints(events, projection.name);
      expect(bodyOf(checkpoint as RecordedEvent).state).toBe(JSON.stringify({ count: 2 }));
      if (!env.target().real) expect(bodyOf(checkpoint as RecordedEvent).position).toBe(good.toString());
    });
  });
}
