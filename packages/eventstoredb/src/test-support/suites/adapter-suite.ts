import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { StoreClosedError, StreamNotFoundError, WrongExpectedRevisionError, type RecordedEvent } from '@custodian/core';
import { collect, testEvent } from '@custodian/testing';
import { createEventStoreDBStore, type EventStoreDBStore } from '../../store';
import { withParameter } from '../clients';
import type { TestEnvironment } from './environment';

const isSystem = (event: RecordedEvent) => event.type.startsWith('$') || event.stream.startsWith('$');

/** What the adapter adds to the port's contract: EventStoreDB's deletes, system events, ids. */
export function describeAdapterBehaviour(env: TestEnvironment): void {
  const store = (): EventStoreDBStore => createEventStoreDBStore(env.client(), { closeClient: false });
  const name = (label: string) => `${label}-${randomUUID()}`;

  describe('EventStoreDB specifics', () => {
    it('reports a soft-deleted stream as StreamNotFoundError', async () => {
      const events = store();
      const stream = name('soft');
      await events.append(stream, [testEvent(), testEvent()], 'no_stream');
      await env.client().deleteStream(stream);
      const error = await collect(events.readStream(stream)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamNotFoundError);
      expect(error).toMatchObject({ stream });
    });

    it('reports a tombstoned stream as StreamNotFoundError, to readers and writers', async () => {
      const events = store();
      const stream = name('tombstoned');
      await events.append(stream, [testEvent()], 'no_stream');
      await env.client().tombstoneStream(stream);
      await expect(collect(events.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(events.append(stream, [testEvent()], 'any')).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND', stream });
    });

    it("leaves EventStoreDB's own events ($ types and streams) out of readAll, maxCount included", async () => {
      const events = store();
      const { position: from } = await events.append(name('marker'), [testEvent('Marker')], 'no_stream');
      const mine = name('mine');
      const doomed = name('doomed');
      await events.append(mine, [testEvent('A')], 'no_stream');
      await env.client().setStreamMetadata(mine, { maxCount: 50 });
      await events.append(mine, [testEvent('$system-looking')], 0n);
      await events.append(`$${name('system')}`, [testEvent('InASystemStream')], 'no_stream');
      await events.append(doomed, [testEvent('D')], 'no_stream');
      await env.client().tombstoneStream(doomed);
      await events.append(mine, [testEvent('B')], 1n);

      const all = await collect(events.readAll({ fromPosition: from }));
      expect(all.filter(isSystem)).toEqual([]);
      expect(all.filter((e) => e.stream === mine || e.stream === doomed).map((e) => e.type)).toEqual(['A', 'D', 'B']);
      // Skipped events do not count: the first four are the same with or without a limit.
      const limited = await collect(events.readAll({ fromPosition: from, maxCount: 4 }));
      expect(limited.map((e) => e.id)).toEqual(all.slice(0, 4).map((e) => e.id));
    });

    it("leaves EventStoreDB's own events out of subscriptions", async () => {
      const events = store();
      const { position: from } = await events.append(name('marker'), [testEvent('Marker')], 'no_stream');
      const mine = name('mine');
      await events.append(mine, [testEvent('A')], 'no_stream');
      await env.client().setStreamMetadata(mine, { maxCount: 50 });
      await events.append(`$${name('system')}`, [testEvent('InASystemStream')], 'no_stream');
      await events.append(mine, [testEvent('$system-looking'), testEvent('B')], 0n);
      const seen: RecordedEvent[] = [];
      let sawB!: () => void;
      const reachedB = new Promise<void>((resolve) => (sawB = resolve));
      const subscription = events.subscribeToAll({ fromPosition: from }, async (event) => {
        seen.push(event);
        if (event.stream === mine && event.type === 'B') sawB();
      });
      await reachedB;
      await subscription.close();
      expect(seen.filter(isSystem)).toEqual([]);
      expect(seen.filter((e) => e.stream === mine).map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('delivers nothing after a subscription is closed, even events already received', async () => {
      const events = store();
      const { position: from } = await events.append(name('marker'), [testEvent('Marker')], 'no_stream');
      const stream = name('burst');
      await events.append(
        stream,
        Array.from({ length: 50 }, (_, i) => testEvent('Burst', { i })),
        'no_stream',
      );
      let seen = 0;
      let closing: Promise<void> | undefined;
      const subscription = events.subscribeToAll({ fromPosition: from }, async (event) => {
        if (event.stream !== stream) return;
        seen++;
        // Closed from inside the handler, as a consumer that has had enough would.
        if (seen === 5) closing = subscription.close();
      });
      while (!closing) await new Promise((resolve) => setTimeout(resolve, 5));
      await closing;
      await subscription.done;
      expect(seen).toBe(5);
    });

    it('keeps ids that EventStoreDB would not: any string, upper-case UUIDs', async () => {
      const events = store();
      const { position: from } = await events.append(name('marker'), [testEvent('Marker')], 'no_stream');
      const stream = name('ids');
      const ids = ['big-1', 'Order 42 🙂', randomUUID().toUpperCase(), 'x'.repeat(255), randomUUID()];
      await events.append(
        stream,
        ids.map((id) => ({ ...testEvent(), id })),
        'no_stream',
      );
      expect((await collect(events.readStream(stream))).map((e) => e.id)).toEqual(ids);
      const fromAll = await collect(events.readAll({ fromPosition: from }));
      expect(fromAll.filter((e) => e.stream === stream).map((e) => e.id)).toEqual(ids);
    });

    it('answers an append repeated with the same ids as the first, and writes nothing (idempotent)', async () => {
      const events = store();
      const stream = name('repeat');
      const batch = [testEvent('One'), { ...testEvent('Two'), id: 'not-a-uuid' }];
      const first = await events.append(stream, batch, 'no_stream');
      const again = await events.append(stream, batch, 'no_stream');
      expect(again).toEqual(first);
      expect(await collect(events.readStream(stream))).toHaveLength(2);
    });

    it('reports conflicts the same from a client made with throwOnAppendFailure=false', async () => {
      const lenient = createEventStoreDBStore(env.connect(withParameter(env.target().connectionString, 'throwOnAppendFailure=false')));
      const stream = name('lenient');
      await lenient.append(stream, [testEvent(), testEvent()], 'no_stream');
      const error = await lenient.append(stream, [testEvent()], 'no_stream').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ stream, expected: 'no_stream', actual: 1n });
      await expect(lenient.append(name('missing'), [testEvent()], 'exists')).rejects.toMatchObject({ expected: 'exists', actual: 'no_stream' });
      await lenient.close();
    });

    it('leaves its client free to close after readers stopped early', async () => {
      const owned = createEventStoreDBStore(env.connect());
      const stream = name('early');
      await owned.append(
        stream,
        Array.from({ length: 50 }, () => testEvent()),
        'no_stream',
      );
      for await (const event of owned.readStream(stream)) if (event.revision === 2n) break;
      for await (const _ of owned.readStream(stream, { direction: 'backwards', maxCount: 1 })) break;
      for await (const _ of owned.readAll()) break;
      expect(await collect(owned.readAll({ maxCount: 1 }))).toHaveLength(1);
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 5000)));
      expect(await Promise.race([owned.close().then(() => 'closed'), stuck])).toBe('closed');
      clearTimeout(timer);
    });

    it('closes its client and cuts off its subscriptions when closed, and refuses use afterwards', async () => {
      const owned = createEventStoreDBStore(env.connect());
      const subscription = owned.subscribeToAll({}, async () => undefined);
      await owned.close();
      await expect(subscription.done).rejects.toBeInstanceOf(StoreClosedError);
      await expect(owned.append(name('closed'), [testEvent()], 'any')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(collect(owned.readAll())).rejects.toBeInstanceOf(StoreClosedError);
      expect(() => owned.subscribeToAll({}, async () => undefined)).toThrow(StoreClosedError);
      await owned.close();
    });
  });
}
