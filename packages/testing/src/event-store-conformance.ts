import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError, StreamNotFoundError, ValidationError, WrongExpectedRevisionError, type EventStore, type EventToAppend, type RecordedEvent } from '@custodian/core';
import { describeLocate } from './locate-conformance';
import { describePortPromises } from './port-promises-conformance';

export type EventStoreFactory = () => EventStore | Promise<EventStore>;

export interface EventStoreConformanceOptions {
  /** Skips the 10,000-event stream test for stores where it would take minutes (never used by Custodian's own stores). */
  longStreamEvents?: number;
  /** Makes the store's reads fail from now on, as a lost connection or a closed file would; without it the store is taken not to fail so. */
  failReads?: (store: EventStore) => void | Promise<void>;
  /**
   * False for a store that cannot refuse an id stored in another append (EventStoreDB
   * recognises only a retry of the same append): the refusals are then not run, the
   * identical-retry no-op still is. Every Custodian store but EventStoreDB's keeps them.
   */
  refusesRepeatedIds?: boolean;
  /**
   * False for a store with no index of ids (EventStoreDB): `locateEvent` then scans the log,
   * and only its answers are checked. Every other Custodian store implements `locate`.
   */
  locates?: boolean;
}

/** An event with a fresh id and a small JSON body. */
export function testEvent(type = 'TestEvent', body: unknown = { n: 1 }): EventToAppend {
  return { id: randomUUID(), type, data: Buffer.from(JSON.stringify(body)) };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const bodyOf = (event: RecordedEvent): unknown => JSON.parse(Buffer.from(event.data).toString('utf8'));

/**
 * The contract every EventStore keeps. Streams get unique names, and `readAll` checks
 * look only at their own streams from the position they started at, so the suite also
 * runs against a shared server that already holds data.
 */
export function runEventStoreConformance(name: string, factory: EventStoreFactory, options: EventStoreConformanceOptions = {}): void {
  describe(`EventStore conformance: ${name}`, () => {
    let store: EventStore;
    const streamName = (label = 'stream') => `${label}-${randomUUID()}`;

    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    async function positionBeforeAppending(): Promise<bigint> {
      const marker = streamName('marker');
      const { position } = await store.append(marker, [testEvent('Marker')], 'no_stream');
      return position;
    }

    describe('append', () => {
      it('creates a stream at revision 0n and reads back id, type, bytes and revision', async () => {
        const stream = streamName();
        const event = testEvent('Created', { hello: 'world' });
        const result = await store.append(stream, [event], 'no_stream');
        expect(result.nextRevision).toBe(0n);
        expect(typeof result.position).toBe('bigint');
        const [read] = await collect(store.readStream(stream));
        expect(read).toMatchObject({ stream, revision: 0n, id: event.id, type: 'Created', position: result.position });
        expect(Buffer.from(read!.data).equals(Buffer.from(event.data))).toBe(true);
      });

      it('appends several events atomically with consecutive revisions', async () => {
        const stream = streamName();
        const result = await store.append(stream, [testEvent('A'), testEvent('B'), testEvent('C')], 'no_stream');
        expect(result.nextRevision).toBe(2n);
        const read = await collect(store.readStream(stream));
        expect(read.map((e) => [e.type, e.revision])).toEqual([
          ['A', 0n],
          ['B', 1n],
          ['C', 2n],
        ]);
        expect(result.position).toBe(read[2]!.position);
      });

      it('accepts the right expected revision as a bigint', async () => {
        const stream = streamName();
        await store.append(stream, [testEvent()], 'no_stream');
        const second = await store.append(stream, [testEvent()], 0n);
        expect(second.nextRevision).toBe(1n);
        const third = await store.append(stream, [testEvent(), testEvent()], second.nextRevision);
        expect(third.nextRevision).toBe(3n);
      });

      it("honours 'any' and 'exists'", async () => {
        const stream = streamName();
        await store.append(stream, [testEvent()], 'any');
        await store.append(stream, [testEvent()], 'any');
        const result = await store.append(stream, [testEvent()], 'exists');
        expect(result.nextRevision).toBe(2n);
      });

      it('refuses a wrong revision with WrongExpectedRevisionError carrying stream, expected and actual', async () => {
        const stream = streamName();
        await store.append(stream, [testEvent(), testEvent()], 'no_stream');
        const error = await store.append(stream, [testEvent()], 0n).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream, expected: 0n, actual: 1n });
        await expect(store.append(stream, [testEvent()], 'no_stream')).rejects.toMatchObject({ expected: 'no_stream', actual: 1n });
      });

      it("reports an actual of 'no_stream' when the stream does not exist", async () => {
        const stream = streamName();
        await expect(store.append(stream, [testEvent()], 'exists')).rejects.toMatchObject({
          code: 'WRONG_EXPECTED_REVISION',
          stream,
          expected: 'exists',
          actual: 'no_stream',
        });
        await expect(store.append(stream, [testEvent()], 5n)).rejects.toMatchObject({ expected: 5n, actual: 'no_stream' });
      });

      it('leaves nothing behind when an append fails', async () => {
        const stream = streamName();
        await store.append(stream, [testEvent('Kept')], 'no_stream');
        const from = await positionBeforeAppending();
        await expect(store.append(stream, [testEvent('Lost1'), testEvent('Lost2')], 7n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect((await collect(store.readStream(stream))).map((e) => e.type)).toEqual(['Kept']);
        const after = (await collect(store.readAll({ fromPosition: from }))).filter((e) => e.stream === stream);
        expect(after).toEqual([]);
      });

      it('refuses malformed input with a ValidationError and appends nothing', async () => {
        const stream = streamName();
        await expect(store.append(stream, [], 'any')).rejects.toBeInstanceOf(ValidationError);
        await expect(store.append('', [testEvent()], 'any')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        const bad = { id: randomUUID(), type: 'Bad', data: 'not bytes' } as unknown as EventToAppend;
        const error = (await store.append(stream, [testEvent(), bad], 'any').catch((e: unknown) => e)) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.issues[0]?.path).toBe('events.1.data');
        await expect(collect(store.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('lets exactly one of several racing appends at the same expected revision win', async () => {
        for (let round = 0; round < 20; round++) {
          const stream = streamName('race');
          await store.append(stream, [testEvent()], 'no_stream');
          const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.append(stream, [testEvent('Racer', { i }), testEvent('Racer', { i })], 0n)));
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          for (const loss of lost) expect(loss.reason).toBeInstanceOf(WrongExpectedRevisionError);
          const read = await collect(store.readStream(stream));
          expect(read).toHaveLength(3);
          expect(bodyOf(read[1]!)).toEqual(bodyOf(read[2]!));
        }
      });

      it('lets exactly one of several racing creations win', async () => {
        const stream = streamName('create-race');
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.append(stream, [testEvent()], 'no_stream')));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await collect(store.readStream(stream))).toHaveLength(1);
      });

      it('takes unicode stream names', async () => {
        const stream = `subject-Zoë-日本語-🙂-${randomUUID()}`;
        await store.append(stream, [testEvent('Unicode', { name: 'Zoë 🙂' })], 'no_stream');
        const [read] = await collect(store.readStream(stream));
        expect(read?.stream).toBe(stream);
        expect(bodyOf(read!)).toEqual({ name: 'Zoë 🙂' });
      });
    });

    describe('readStream', () => {
      let stream: string;
      beforeEach(async () => {
        stream = streamName();
        await store.append(
          stream,
          Array.from({ length: 10 }, (_, i) => testEvent('Numbered', { i })),
          'no_stream',
        );
      });
      const numbers = (events: RecordedEvent[]) => events.map((e) => (bodyOf(e) as { i: number }).i);

      it('reads forwards from the start by default', async () => {
        expect(numbers(await collect(store.readStream(stream)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });
      it('reads forwards from a revision with a max count', async () => {
        expect(numbers(await collect(store.readStream(stream, { fromRevision: 3n, maxCount: 4 })))).toEqual([3, 4, 5, 6]);
      });
      it('reads backwards from the end by default', async () => {
        expect(numbers(await collect(store.readStream(stream, { direction: 'backwards', maxCount: 3 })))).toEqual([9, 8, 7]);
      });
      it('reads backwards from a revision', async () => {
        expect(numbers(await collect(store.readStream(stream, { direction: 'backwards', fromRevision: 2n })))).toEqual([2, 1, 0]);
      });
      it('gives revisions as bigints', async () => {
        for (const event of await collect(store.readStream(stream))) expect(typeof event.revision).toBe('bigint');
      });
      it('reads nothing past the end', async () => {
        expect(await collect(store.readStream(stream, { fromRevision: 10n }))).toEqual([]);
      });
      it.each([
        ['forwards', {}],
        ['backwards from the end', { direction: 'backwards' as const }],
        ['backwards, its last record only', { direction: 'backwards' as const, maxCount: 1 }],
        ['backwards from a revision', { direction: 'backwards' as const, fromRevision: 3n }],
      ])('throws StreamNotFoundError for a stream that does not exist, read %s', async (_, read) => {
        const missing = streamName('missing');
        const error = await collect(store.readStream(missing, read)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StreamNotFoundError);
        expect(error).toMatchObject({ code: 'STREAM_NOT_FOUND', stream: missing });
      });
    });

    it(`stores and reads a stream of ${options.longStreamEvents ?? 10_000} events`, async () => {
      const total = options.longStreamEvents ?? 10_000;
      const stream = streamName('long');
      let expected: bigint | 'no_stream' = 'no_stream';
      for (let start = 0; start < total; start += 500) {
        const batch = Array.from({ length: Math.min(500, total - start) }, (_, k) => testEvent('Long', { i: start + k }));
        expected = (await store.append(stream, batch, expected)).nextRevision;
      }
      expect(expected).toBe(BigInt(total - 1));
      let count = 0;
      for await (const event of store.readStream(stream)) {
        expect(event.revision).toBe(BigInt(count));
        count++;
      }
      expect(count).toBe(total);
      const [last] = await collect(store.readStream(stream, { direction: 'backwards', maxCount: 1 }));
      expect(bodyOf(last!)).toEqual({ i: total - 1 });
      // Backwards from the end, page after page, every record once in reverse order.
      const backwards = await collect(store.readStream(stream, { direction: 'backwards' }));
      expect(backwards.map((event) => event.revision)).toEqual(Array.from({ length: total }, (_, i) => BigInt(total - 1 - i)));
    });

    describe('readAll', () => {
      it('reads every stream in global order, with strictly increasing positions', async () => {
        const from = await positionBeforeAppending();
        const a = streamName('a');
        const b = streamName('b');
        await store.append(a, [testEvent('A0')], 'no_stream');
        await store.append(b, [testEvent('B0'), testEvent('B1')], 'no_stream');
        await store.append(a, [testEvent('A1')], 0n);
        const all = await collect(store.readAll({ fromPosition: from }));
        const mine = all.filter((e) => e.stream === a || e.stream === b);
        expect(mine.map((e) => e.type)).toEqual(['A0', 'B0', 'B1', 'A1']);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position > all[i - 1]!.position).toBe(true);
      });

      it('starts at a position, inclusively, and stops at a max count', async () => {
        const stream = streamName();
        await store.append(stream, [testEvent('X0'), testEvent('X1'), testEvent('X2')], 'no_stream');
        const events = await collect(store.readStream(stream));
        const fromSecond = await collect(store.readAll({ fromPosition: events[1]!.position, maxCount: 2 }));
        expect(fromSecond.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id]);
      });

      it('gives the same records as readStream', async () => {
        const from = await positionBeforeAppending();
        const stream = streamName();
        await store.append(stream, [testEvent('S0'), testEvent('S1')], 'no_stream');
        const viaAll = (await collect(store.readAll({ fromPosition: from }))).filter((e) => e.stream === stream);
        const viaStream = await collect(store.readStream(stream));
        expect(viaAll.map((e) => [e.id, e.revision, e.position])).toEqual(viaStream.map((e) => [e.id, e.revision, e.position]));
      });
    });

    describePortPromises({ store: () => store, streamName, positionBeforeAppending, failReads: options.failReads });
    describeLocate({ store: () => store, streamName, positionBeforeAppending }, options.locates ?? true);

    describe('subscribeToAll', () => {
      it('catches up, then goes live, with no gap and no duplicate', async () => {
        if (!store.subscribeToAll) return expect(store.subscribeToAll).toBeUndefined();
        const from = await positionBeforeAppending();
        const stream = streamName('live');
        await store.append(
          stream,
          Array.from({ length: 50 }, (_, i) => testEvent('Sub', { i })),
          'no_stream',
        );
        const seen: number[] = [];
        const positions: bigint[] = [];
        let resolveAll!: () => void;
        const allSeen = new Promise<void>((resolve) => (resolveAll = resolve));
        const subscription = store.subscribeToAll({ fromPosition: from }, async (event) => {
          positions.push(event.position);
          if (event.stream !== stream) return;
          seen.push((bodyOf(event) as { i: number }).i);
          if (seen.length === 200) resolveAll();
        });
        let revision = 49n;
        for (let start = 50; start < 200; start += 10) {
          const batch = Array.from({ length: 10 }, (_, k) => testEvent('Sub', { i: start + k }));
          revision = (await store.append(stream, batch, revision)).nextRevision;
          if (start % 30 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await allSeen;
        await subscription.close();
        await subscription.done;
        expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
        for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
        expect(positions[0]! > from).toBe(true);
      });

      it('resumes after a checkpoint position', async () => {
        if (!store.subscribeToAll) return expect(store.subscribeToAll).toBeUndefined();
        const stream = streamName('resume');
        await store.append(stream, [testEvent('R0'), testEvent('R1'), testEvent('R2')], 'no_stream');
        const events = await collect(store.readStream(stream));
        const seen: string[] = [];
        let resolveDone!: () => void;
        const reached = new Promise<void>((resolve) => (resolveDone = resolve));
        const subscription = store.subscribeToAll({ fromPosition: events[0]!.position }, async (event) => {
          if (event.stream !== stream) return;
          seen.push(event.type);
          if (event.type === 'R2') resolveDone();
        });
        await reached;
        await subscription.close();
        expect(seen).toEqual(['R1', 'R2']);
      });

      it('stops on close and rejects done when the handler fails', async () => {
        if (!store.subscribeToAll) return expect(store.subscribeToAll).toBeUndefined();
        const from = await positionBeforeAppending();
        const stream = streamName('failing');
        await store.append(stream, [testEvent('Boom')], 'no_stream');
        const subscription = store.subscribeToAll({ fromPosition: from }, async (event) => {
          if (event.stream === stream) throw new Error('handler failed');
        });
        await expect(subscription.done).rejects.toThrow('handler failed');
        await subscription.close();
      });
    });

    describe('event ids, unique in the whole log', () => {
      const positionsOf = async (stream: string) => (await collect(store.readStream(stream))).map((e) => [e.id, e.revision, e.position]);

      it('takes an identical retry of an append that landed as a no-op returning the original result', async () => {
        const stream = streamName('retry');
        const first = [testEvent('A'), testEvent('B')];
        const created = await store.append(stream, first, 'no_stream');
        expect(await store.append(stream, first, 'no_stream')).toEqual(created);
        const next = [testEvent('C')];
        const appended = await store.append(stream, next, created.nextRevision);
        expect(await store.append(stream, next, created.nextRevision)).toEqual(appended);
        expect(await store.append(stream, next, 'any')).toEqual(appended);
        const from = await positionBeforeAppending();
        expect(
          await store.append(
            stream,
            first.map((e) => ({ ...e, data: Buffer.from(e.data) })),
            'no_stream',
          ),
        ).toEqual(created);
        const read = await collect(store.readStream(stream));
        expect(read.map((e) => [e.id, e.revision])).toEqual([
          [first[0]!.id, 0n],
          [first[1]!.id, 1n],
          [next[0]!.id, 2n],
        ]);
        expect((await collect(store.readAll({ fromPosition: from }))).filter((e) => e.stream === stream)).toEqual([]);
      });

      if (options.refusesRepeatedIds === false) return;

      it('refuses an id already stored in another stream with DuplicateEventIdError, appending nothing', async () => {
        const original = testEvent('Original');
        const home = streamName('home');
        await store.append(home, [original], 'no_stream');
        const clone = streamName('clone');
        const error = await store.append(clone, [testEvent('Fresh'), { ...original }], 'no_stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ code: 'DUPLICATE_EVENT_ID', stream: clone, eventId: original.id });
        await expect(collect(store.readStream(clone))).rejects.toBeInstanceOf(StreamNotFoundError);
        expect((await collect(store.readStream(home))).map((e) => e.id)).toEqual([original.id]);
      });

      it('refuses an id already stored in the stream, with other bytes or at another place', async () => {
        const stream = streamName('repeat');
        const original = testEvent('Original', { n: 1 });
        const created = await store.append(stream, [original], 'no_stream');
        const before = await positionsOf(stream);
        const forged = { id: original.id, type: 'Original', data: Buffer.from(JSON.stringify({ n: 2 })) };
        for (const [events, expected] of [
          [[forged], 'no_stream'],
          [[forged], 'any'],
          [[original], created.nextRevision],
          [[testEvent('Fresh'), original], created.nextRevision],
        ] as const) {
          await expect(store.append(stream, events, expected)).rejects.toMatchObject({ code: 'DUPLICATE_EVENT_ID', stream, eventId: original.id });
        }
        expect(await positionsOf(stream)).toEqual(before);
      });

      it('refuses an append that repeats an id within itself', async () => {
        const stream = streamName('twice');
        const event = testEvent();
        await expect(store.append(stream, [event, { ...event }], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(collect(store.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
      });
    });
  });
}
