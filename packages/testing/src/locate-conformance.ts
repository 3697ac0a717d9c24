import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { locateEvent, type EventStore, type RecordedEvent } from '@custodian/core';
import { collect, testEvent } from './event-store-conformance';
import type { PortSuiteContext } from './port-promises-conformance';

const where = (record: RecordedEvent) => ({ stream: record.stream, revision: record.revision, position: record.position });

/** Both ways to find an event: the store's own `locate`, if it has one, and `locateEvent`, which scans without it. */
async function bothWays(store: EventStore, eventId: string) {
  const found = await locateEvent(store, eventId);
  if (store.locate !== undefined) expect(await store.locate(eventId)).toEqual(found);
  return found;
}

/**
 * The store seen from `start` on: on a store without `locate`, the fallback scans the log,
 * and a shared server's log holds far more than a test's own events, so the scan is held to those.
 */
function fromPosition(store: EventStore, start: bigint): EventStore {
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options = {}) => store.readAll({ ...options, fromPosition: options.fromPosition !== undefined && options.fromPosition > start ? options.fromPosition : start }),
    close: () => store.close(),
  };
}

/**
 * Finding an event by id (`audit.explain`, receipts): the store's index when it has one,
 * the documented scan otherwise; the same answer either way.
 */
export function describeLocate(context: Pick<PortSuiteContext, 'store' | 'streamName' | 'positionBeforeAppending'>, indexed: boolean): void {
  // The store under test: itself when it has its index, else itself from the test's first event on.
  const storeOf = async () => (indexed ? context.store() : fromPosition(context.store(), await context.positionBeforeAppending()));
  describe('locate', () => {
    if (indexed)
      it('is a method of the store, not left to the scan', () => {
        expect(typeof context.store().locate).toBe('function');
      });

    it('answers undefined for an id no event has', async () => {
      const store = await storeOf();
      await store.append(context.streamName(), [testEvent()], 'no_stream');
      expect(await bothWays(store, randomUUID())).toBeUndefined();
    });

    it('finds an event in whichever stream holds it, with its revision and position', async () => {
      const store = await storeOf();
      const a = context.streamName('a');
      const b = context.streamName('b');
      await store.append(a, [testEvent(), testEvent()], 'no_stream');
      await store.append(b, [testEvent(), testEvent(), testEvent()], 'no_stream');
      await store.append(a, [testEvent()], 1n);
      for (const stream of [a, b]) for (const record of await collect(store.readStream(stream))) expect(await bothWays(store, record.id)).toEqual(where(record));
    });

    it('finds early and late events after many appends over many streams', async () => {
      const store = await storeOf();
      const streams = Array.from({ length: 40 }, () => context.streamName('many'));
      for (let round = 0; round < 10; round++)
        for (const stream of streams) await store.append(stream, [testEvent(), testEvent()], round === 0 ? 'no_stream' : BigInt(round * 2 - 1));
      const first = await collect(store.readStream(streams[0] as string, { maxCount: 1 }));
      const last = await collect(store.readStream(streams[streams.length - 1] as string, { direction: 'backwards', maxCount: 1 }));
      const middle = await collect(store.readStream(streams[17] as string, { fromRevision: 9n, maxCount: 1 }));
      for (const record of [...first, ...middle, ...last]) expect(await bothWays(store, record.id)).toEqual(where(record));
      expect(await bothWays(store, randomUUID())).toBeUndefined();
    });
  });
}
