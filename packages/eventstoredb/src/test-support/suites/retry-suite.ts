import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { ExpectedRevision, RecordedEvent } from '@custodian/core';
import { collect, testEvent } from '@custodian/testing';
import { createEventStoreDBStore, type EventStoreDBStore } from '../../store';
import { connectClient } from '../clients';
import { startFlakyProxy, type DropMode, type FlakyProxy } from '../flaky-proxy';
import { useEventStore, type TestEnvironment } from './environment';

const MODES: readonly DropMode[] = ['before-server', 'after-server'];
const EXPECTATIONS: readonly string[] = ['a revision', 'no_stream', 'any'];

/**
 * The connection drops in the middle of an append, before the request reaches the server
 * or after the server wrote and answered. The adapter sends it again with the same event
 * ids; the stream must hold the events exactly once either way.
 */
export function describeIdempotentRetries(env: TestEnvironment): void {
  describe('retries after a dropped connection', () => {
    describe('through BatchAppend', () => describeDrops(env));
    describe('through Append (a server without BatchAppend)', () => describeDrops(useEventStore(env.kind, { batchAppend: false })));
    describeResubscription(env);
  });
}

function useProxiedStore(env: TestEnvironment): { proxy(): FlakyProxy; store(): EventStoreDBStore } {
  let proxy: FlakyProxy | undefined;
  let store: EventStoreDBStore | undefined;
  beforeAll(async () => {
    const target = env.target();
    proxy = await startFlakyProxy(target.host, target.port);
    const client = connectClient(env.kind, `esdb://127.0.0.1:${proxy.port}?tls=false`);
    store = createEventStoreDBStore(client, { retry: { retries: 3, backoffMs: 5 }, resubscribe: { backoffMs: 5 } });
  });
  // The client is disposed (its calls all settled) before its connection goes: db-client
  // 6.2.1 keeps one table of pending batch appends for all its clients, so the error of a
  // connection cut later would fail another client's append in flight (see the README).
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
  });
  return { proxy: () => proxy as FlakyProxy, store: () => store as EventStoreDBStore };
}

function describeDrops(env: TestEnvironment): void {
  const proxied = useProxiedStore(env);
  for (const mode of MODES) {
    for (const expectation of EXPECTATIONS) {
      it(`writes once when the connection drops ${mode}, expecting ${expectation}`, async () => {
        const store = proxied.store();
        const stream = `dropped-${randomUUID()}`;
        let expected: ExpectedRevision = expectation === 'any' ? 'any' : 'no_stream';
        if (expectation === 'a revision') expected = (await store.append(stream, [testEvent('Before')], 'no_stream')).nextRevision;
        const marker = `drop-here-${randomUUID()}`;
        const batch = [testEvent('Dropped', { marker }), testEvent('Dropped', { n: 2 }), { ...testEvent('Dropped'), id: `custom-${marker}` }];

        const cut = proxied.proxy().dropOnce(Buffer.from(marker), mode);
        const result = await store.append(stream, batch, expected);
        await cut;

        const read = await collect(store.readStream(stream));
        expect(read.filter((e) => e.type === 'Dropped').map((e) => e.id)).toEqual(batch.map((e) => e.id));
        const last = read[read.length - 1] as RecordedEvent;
        expect(result).toEqual({ nextRevision: last.revision, position: last.position });
      });
    }
  }
}

function describeResubscription(env: TestEnvironment): void {
  describe('a subscription whose connection drops', () => {
    const proxied = useProxiedStore(env);

    it('subscribes again after the last event delivered: no gap, no duplicate', async () => {
      const store = proxied.store();
      const stream = `resubscribed-${randomUUID()}`;
      const { position: from } = await store.append(`marker-${randomUUID()}`, [testEvent('Marker')], 'no_stream');
      const seen: number[] = [];
      const waiters = new Map<number, () => void>();
      const reached = (count: number) => new Promise<void>((resolve) => waiters.set(count, resolve));
      const subscription = store.subscribeToAll({ fromPosition: from }, async (event) => {
        if (event.stream !== stream) return;
        seen.push((JSON.parse(Buffer.from(event.data).toString()) as { i: number }).i);
        waiters.get(seen.length)?.();
      });
      const numbered = (start: number) => Array.from({ length: 5 }, (_, k) => testEvent('Numbered', { i: start + k }));
      const firstFive = reached(5);
      const { nextRevision } = await store.append(stream, numbered(0), 'no_stream');
      await firstFive;
      proxied.proxy().dropAll();
      const allTen = reached(10);
      await store.append(stream, numbered(5), nextRevision);
      await allTen;
      await subscription.close();
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('rejects done once the server stays out of reach, having delivered nothing after', async () => {
      const target = env.target();
      const proxy = await startFlakyProxy(target.host, target.port);
      const client = connectClient(env.kind, `esdb://127.0.0.1:${proxy.port}?tls=false`);
      const store = createEventStoreDBStore(client, { resubscribe: { resubscribes: 2, backoffMs: 10 } });
      const stream = `unreachable-${randomUUID()}`;
      const { position: from } = await store.append(`marker-${randomUUID()}`, [testEvent('Marker')], 'no_stream');
      let calls = 0;
      let sawFirst!: () => void;
      const first = new Promise<void>((resolve) => (sawFirst = resolve));
      const subscription = store.subscribeToAll({ fromPosition: from }, async (event) => {
        if (event.stream !== stream) return;
        calls++;
        sawFirst();
      });
      await store.append(stream, [testEvent('Before')], 'no_stream');
      await first;
      await proxy.close();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        subscription.done.then(
          () => 'resolved',
          (error: unknown) => error,
        ),
        new Promise((resolve) => (timer = setTimeout(resolve, 20_000, 'still running'))),
      ]);
      clearTimeout(timer);
      expect(outcome).not.toBe('still running');
      expect(outcome).not.toBe('resolved');
      expect(calls).toBe(1);
      await store.close();
    });
  });
}
