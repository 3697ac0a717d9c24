import { describe, expect, it } from '@jest/globals';
import {
  StoreClosedError,
  StreamNotFoundError,
  ValidationError,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@custodian/core';
import { MAX_REVISION } from '@custodian/core/store-kit';
import { collect, testEvent } from './event-store-conformance';

/** What a block of the store suite works with: the test's store, fresh stream names, and where the log ends now. */
export interface PortSuiteContext {
  store(): EventStore;
  streamName(label?: string): string;
  positionBeforeAppending(): Promise<bigint>;
  failReads: ((store: EventStore) => void | Promise<void>) | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that settles it, for handlers a test holds open. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

async function rejectionOf(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

const pathsOf = (error: unknown): string[] => (error instanceof ValidationError ? error.issues.map((issue) => issue.path) : []);

/** The thing tried and the field its ValidationError must name, printed with a failure. */
type Case<T> = [label: string, input: T, field: string];

/**
 * The port's promises about bad input, bytes and subscription lifetimes (see port.ts),
 * which every store keeps alike.
 */
export function describePortPromises(context: PortSuiteContext): void {
  const { streamName, positionBeforeAppending } = context;
  const store = () => context.store();

  describe('bad input, answered alike', () => {
    const expectedCases: Case<unknown>[] = [
      ['the number 0', 0, 'expected'],
      ['the number 1', 1, 'expected'],
      ['null', null, 'expected'],
      ['undefined', undefined, 'expected'],
      ["the string '0'", '0', 'expected'],
      ["'NO_STREAM'", 'NO_STREAM', 'expected'],
      ['-1n', -1n, 'expected'],
      ['2^63', MAX_REVISION + 1n, 'expected'],
      ['NaN', Number.NaN, 'expected'],
      ['an object', { revision: 0n }, 'expected'],
    ];

    it('refuses a malformed expected revision with a ValidationError naming expected, never a conflict, and appends nothing', async () => {
      const existing = streamName('expected');
      await store().append(existing, [testEvent('Kept')], 'no_stream');
      const missing = streamName('expected-missing');
      for (const [label, expected] of expectedCases) {
        for (const stream of [existing, missing]) {
          const error = await rejectionOf(() => store().append(stream, [testEvent('Refused')], expected as ExpectedRevision));
          expect({ label, stream, error }).toEqual({ label, stream, error: expect.any(ValidationError) });
          expect({ label, paths: pathsOf(error) }).toEqual({ label, paths: ['expected'] });
        }
      }
      expect((await collect(store().readStream(existing))).map((e) => e.type)).toEqual(['Kept']);
      await expect(collect(store().readStream(missing))).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    const streamCases: Case<unknown>[] = [
      ['fromRevision -1n', { fromRevision: -1n }, 'fromRevision'],
      ['fromRevision as a number', { fromRevision: 1 }, 'fromRevision'],
      ['fromRevision as a string', { fromRevision: '1' }, 'fromRevision'],
      ['fromRevision 2^63', { fromRevision: MAX_REVISION + 1n }, 'fromRevision'],
      ['maxCount 0', { maxCount: 0 }, 'maxCount'],
      ['maxCount -1', { maxCount: -1 }, 'maxCount'],
      ['maxCount 1.5', { maxCount: 1.5 }, 'maxCount'],
      ['maxCount NaN', { maxCount: Number.NaN }, 'maxCount'],
      ['maxCount Infinity', { maxCount: Number.POSITIVE_INFINITY }, 'maxCount'],
      ['maxCount as a bigint', { maxCount: 2n }, 'maxCount'],
      ["direction 'sideways'", { direction: 'sideways' }, 'direction'],
      ["direction 'BACKWARDS'", { direction: 'BACKWARDS' }, 'direction'],
      ['null options', null, 'options'],
    ];

    it('refuses malformed readStream options with a ValidationError naming the option, when iterated, before looking for the stream', async () => {
      const existing = streamName('read');
      await store().append(existing, [testEvent('A'), testEvent('B'), testEvent('C')], 'no_stream');
      const missing = streamName('read-missing');
      for (const [label, options, field] of streamCases) {
        for (const stream of [existing, missing]) {
          // Lazy, like every read error: the call itself hands back an iterable.
          const iterable = store().readStream(stream, options as ReadStreamOptions);
          const error = await rejectionOf(() => collect(iterable));
          expect({ label, stream, error }).toEqual({ label, stream, error: expect.any(ValidationError) });
          expect({ label, paths: pathsOf(error) }).toEqual({ label, paths: [field] });
        }
      }
      for (const bad of ['', 42]) {
        const error = await rejectionOf(() => collect(store().readStream(bad as string)));
        expect({ bad, paths: pathsOf(error) }).toEqual({ bad, paths: ['stream'] });
      }
    });

    const allCases: Case<unknown>[] = [
      ['fromPosition -1n', { fromPosition: -1n }, 'fromPosition'],
      ['fromPosition as a number', { fromPosition: 0 }, 'fromPosition'],
      ['fromPosition as a string', { fromPosition: '0' }, 'fromPosition'],
      ['fromPosition 2^63', { fromPosition: MAX_REVISION + 1n }, 'fromPosition'],
      ['maxCount 1.5', { maxCount: 1.5 }, 'maxCount'],
      ['maxCount 0', { maxCount: 0 }, 'maxCount'],
      ['maxCount -1', { maxCount: -1 }, 'maxCount'],
      ['maxCount NaN', { maxCount: Number.NaN }, 'maxCount'],
      ['null options', null, 'options'],
    ];

    it('refuses malformed readAll options with a ValidationError naming the option, when iterated', async () => {
      await positionBeforeAppending();
      for (const [label, options, field] of allCases) {
        const iterable = store().readAll(options as ReadAllOptions);
        const error = await rejectionOf(() => collect(iterable));
        expect({ label, error }).toEqual({ label, error: expect.any(ValidationError) });
        expect({ label, paths: pathsOf(error) }).toEqual({ label, paths: [field] });
      }
    });

    it('refuses malformed subscribeToAll options with a ValidationError at the call, and delivers nothing', async () => {
      const target = store();
      if (!target.subscribeToAll) return expect(target.subscribeToAll).toBeUndefined();
      await positionBeforeAppending();
      let delivered = 0;
      const handler = async () => {
        delivered++;
      };
      const cases: Case<[unknown, unknown]>[] = [
        ['fromPosition -1n', [{ fromPosition: -1n }, handler], 'fromPosition'],
        ['fromPosition as a number', [{ fromPosition: 3 }, handler], 'fromPosition'],
        ['fromPosition 2^63', [{ fromPosition: MAX_REVISION + 1n }, handler], 'fromPosition'],
        ['null options', [null, handler], 'options'],
        ['no handler', [{}, undefined], 'handler'],
      ];
      for (const [label, [options, given], field] of cases) {
        let error: unknown;
        try {
          // On a store that takes it, the subscription is closed again at once.
          await target.subscribeToAll(options as SubscribeOptions, given as (event: RecordedEvent) => Promise<void>).close();
        } catch (caught) {
          error = caught;
        }
        expect({ label, error }).toEqual({ label, error: expect.any(ValidationError) });
        expect({ label, paths: pathsOf(error) }).toEqual({ label, paths: [field] });
      }
      await sleep(50);
      expect(delivered).toBe(0);
    });

    it('takes the edges of the valid ranges: 0n, 2^63 - 1 and a maxCount of 1', async () => {
      const stream = streamName('edges');
      await store().append(stream, [testEvent('E0'), testEvent('E1'), testEvent('E2')], 'no_stream');
      const types = async (options: ReadStreamOptions) => (await collect(store().readStream(stream, options))).map((e) => e.type);
      expect(await types({ fromRevision: 0n, maxCount: 1 })).toEqual(['E0']);
      expect(await types({ fromRevision: MAX_REVISION })).toEqual([]);
      expect(await types({ fromRevision: MAX_REVISION, direction: 'backwards' })).toEqual(['E2', 'E1', 'E0']);
      expect(await types({ direction: 'forwards' })).toEqual(['E0', 'E1', 'E2']);
      const first = await collect(store().readAll({ maxCount: 1 }));
      expect(await collect(store().readAll({ fromPosition: 0n, maxCount: 1 }))).toEqual(first);
      expect(await collect(store().readAll({ fromPosition: MAX_REVISION }))).toEqual([]);
    });
  });

  describe('bytes, kept as given', () => {
    const bytesOf = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');

    it('stores exactly the bytes of a Uint8Array view, whatever its offset into its buffer', async () => {
      const backing = new Uint8Array(256).map((_, i) => i);
      const slab = Buffer.allocUnsafe(24);
      slab.fill('slab-bytes');
      const pooled = Buffer.from('a Uint8Array over pooled memory');
      const views: Uint8Array[] = [
        backing.subarray(17, 29),
        new Uint8Array(backing.buffer, 200, 7),
        slab,
        Buffer.from('pooled, at an offset into the pool'),
        new Uint8Array(pooled.buffer, pooled.byteOffset + 2, 9),
      ];
      expect(views.filter((view) => view.byteOffset > 0).length).toBeGreaterThanOrEqual(3);
      const expected = views.map((view) => Buffer.from(view).toString('hex'));
      const from = await positionBeforeAppending();
      const stream = streamName('views');
      await store().append(
        stream,
        views.map((data) => ({ ...testEvent('View'), data })),
        'no_stream',
      );
      const viaStream = await collect(store().readStream(stream));
      const viaAll = (await collect(store().readAll({ fromPosition: from }))).filter((e) => e.stream === stream);
      expect(viaStream.map((e) => bytesOf(e.data))).toEqual(expected);
      expect(viaAll.map((e) => bytesOf(e.data))).toEqual(expected);
    });

    it('hands out copies: changing bytes read, or bytes after appending them, changes nothing stored', async () => {
      const from = await positionBeforeAppending();
      const stream = streamName('copies');
      const originals = [testEvent('C0', { n: 'first' }), testEvent('C1', { n: 'second' })];
      const kept = originals.map((event) => Buffer.from(event.data).toString('hex'));
      await store().append(stream, originals, 'no_stream');
      for (const event of originals) event.data.fill(0xee);

      const reads = [await collect(store().readStream(stream)), (await collect(store().readAll({ fromPosition: from }))).filter((e) => e.stream === stream)];
      for (const read of reads) {
        expect(read.map((e) => bytesOf(e.data))).toEqual(kept);
        for (const event of read) for (let i = 0; i < event.data.length; i++) event.data[i] = ~(event.data[i] as number) & 0xff;
      }
      expect((await collect(store().readStream(stream))).map((e) => bytesOf(e.data))).toEqual(kept);
      expect((await collect(store().readAll({ fromPosition: from }))).filter((e) => e.stream === stream).map((e) => bytesOf(e.data))).toEqual(kept);
    });

    it('reads back each of 70,000 distinct event types as its own', async () => {
      const total = 70_000;
      const stream = streamName('types');
      let expected: bigint | 'no_stream' = 'no_stream';
      for (let start = 0; start < total; start += 1000) {
        const batch = Array.from({ length: 1000 }, (_, k) => ({ ...testEvent(`Type${start + k}`), data: Buffer.of(1) }));
        expected = (await store().append(stream, batch, expected)).nextRevision;
      }
      let wrong = 0;
      let read = 0;
      for await (const event of store().readStream(stream)) {
        if (event.type !== `Type${event.revision}`) wrong++;
        read++;
      }
      expect({ read, wrong }).toEqual({ read: total, wrong: 0 });
      // A server over the network takes its time with 70,000 events.
    }, 180_000);
  });

  describe('subscription lifetimes', () => {
    it('close() waits for a handler under way, and nothing is delivered once it resolved', async () => {
      const target = store();
      if (!target.subscribeToAll) return expect(target.subscribeToAll).toBeUndefined();
      const from = await positionBeforeAppending();
      const stream = streamName('closing');
      const entered = signal();
      const release = signal();
      const calls: string[] = [];
      let finished = false;
      const subscription = target.subscribeToAll({ fromPosition: from }, async (event) => {
        if (event.stream !== stream) return;
        calls.push(event.type);
        entered.fire();
        await release.promise;
        await sleep(20);
        finished = true;
      });
      await target.append(stream, [testEvent('First'), testEvent('Second'), testEvent('Third')], 'no_stream');
      await entered.promise;

      let closed = false;
      const closing = subscription.close().then(() => (closed = true));
      await sleep(100);
      expect(closed).toBe(false);
      release.fire();
      await closing;
      expect(finished).toBe(true);
      await expect(subscription.done).resolves.toBeUndefined();

      // Events already appended, and appended after: none reaches the handler.
      await target.append(stream, [testEvent('Late')], 2n);
      await sleep(400);
      expect(calls).toEqual(['First']);
    });

    /** A subscription that has delivered one event of a fresh stream; `calls` counts that stream's deliveries from then on too. */
    async function subscribedToOneEvent(target: EventStore, name: string): Promise<{ subscription: Subscription; calls: () => number }> {
      if (!target.subscribeToAll) throw new Error('the store has no subscribeToAll');
      const from = await positionBeforeAppending();
      const stream = streamName(name);
      const seen = signal();
      let calls = 0;
      const subscription = target.subscribeToAll({ fromPosition: from }, async (event) => {
        if (event.stream !== stream) return;
        calls++;
        seen.fire();
      });
      await target.append(stream, [testEvent('Before')], 'no_stream');
      await seen.promise;
      return { subscription, calls: () => calls };
    }

    it('rejects done with StoreClosedError when the store is closed under a running subscription, and delivers nothing after', async () => {
      const target = store();
      if (!target.subscribeToAll) return expect(target.subscribeToAll).toBeUndefined();
      const { subscription, calls } = await subscribedToOneEvent(target, 'cut-off');
      await target.close();
      const error = await rejectionOf(() => subscription.done);
      expect(error).toBeInstanceOf(StoreClosedError);
      expect(calls()).toBe(1);
      expect(() => target.subscribeToAll?.({}, async () => undefined)).toThrow(StoreClosedError);
      await subscription.close();
    });

    const { failReads } = context;
    if (failReads)
      it('rejects done when its reads fail under a running subscription, and delivers nothing after', async () => {
        const target = store();
        if (!target.subscribeToAll) return expect(target.subscribeToAll).toBeUndefined();
        const { subscription, calls } = await subscribedToOneEvent(target, 'failing-reads');
        await failReads(target);
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([rejectionOf(() => subscription.done), new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'still running')))]);
        clearTimeout(timer);
        // The store's own error, whatever it is (a native one may come from another realm than this test's Error).
        expect(outcome).not.toBe('still running');
        expect(outcome).not.toBe('resolved');
        expect(typeof (outcome as { message?: unknown }).message).toBe('string');
        expect(calls()).toBe(1);
        await subscription.close();
      });
  });
}
