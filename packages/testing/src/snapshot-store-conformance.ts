import { describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { SnapshotStore } from '@custodian/core';

export interface SnapshotStoreConformanceSetup<T extends SnapshotStore = SnapshotStore> {
  /** A snapshot store for one test; it may hold other tests' snapshots (each test uses its own streams). */
  open(): T | Promise<T>;
  /** Another store on the same storage, as a restarted process would open it; leave out for a store that lives in memory only. */
  reopen?(store: T): SnapshotStore | Promise<SnapshotStore>;
  close?(store: T): Promise<void>;
}

const streamName = (label: string) => `subject-${label}-${randomUUID()}`;

/**
 * What every snapshot store promises the ledger: a stream's last snapshot back byte for
 * byte, streams kept apart, bytes that are the caller's own, `clear` forgetting all, and bad
 * input refused alike. (That a snapshot store cannot change a decision is the ledger's
 * promise, checked in core, whatever the store returns.)
 */
export function runSnapshotStoreConformance<T extends SnapshotStore>(name: string, setup: SnapshotStoreConformanceSetup<T>): void {
  const withStore = (test: (store: T) => Promise<void>) => async () => {
    const store = await setup.open();
    try {
      await test(store);
    } finally {
      await setup.close?.(store);
    }
  };

  describe(`${name}: SnapshotStore conformance`, () => {
    it(
      'has nothing for a stream never saved',
      withStore(async (store) => {
        await expect(store.load(streamName('never'))).resolves.toBeUndefined();
      }),
    );

    it(
      'gives back the bytes saved, byte for byte, whatever they are',
      withStore(async (store) => {
        const stream = streamName('bytes');
        const bytes = Uint8Array.from([0, 255, 0x7b, 0x22, 10, 13, 0, 128, ...randomBytes(1000)]);
        await store.save(stream, bytes);
        const loaded = await store.load(stream);
        expect(loaded).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(loaded ?? []).equals(Buffer.from(bytes))).toBe(true);
      }),
    );

    it(
      'keeps a snapshot of a megabyte whole',
      withStore(async (store) => {
        const stream = streamName('large');
        const bytes = randomBytes(1024 * 1024);
        await store.save(stream, bytes);
        expect(Buffer.from((await store.load(stream)) ?? []).equals(bytes)).toBe(true);
      }),
    );

    it(
      'replaces a stream snapshot with the one saved after it, even a shorter one',
      withStore(async (store) => {
        const stream = streamName('replace');
        await store.save(stream, randomBytes(500));
        const second = randomBytes(20);
        await store.save(stream, second);
        expect(Buffer.from((await store.load(stream)) ?? []).equals(second)).toBe(true);
      }),
    );

    it(
      'keeps streams apart, down to the case of one letter and a trailing space',
      withStore(async (store) => {
        const base = streamName('apart');
        const names = [base, base.toUpperCase(), `${base} `, `${base}-2`, `${base}"'\\é`];
        const saved = names.map(() => randomBytes(40));
        for (const [i, stream] of names.entries()) await store.save(stream, saved[i] as Buffer);
        for (const [i, stream] of names.entries()) expect(Buffer.from((await store.load(stream)) ?? []).equals(saved[i] as Buffer)).toBe(true);
      }),
    );

    it(
      "hands back the caller's own bytes: changing what was saved or loaded changes nothing stored",
      withStore(async (store) => {
        const stream = streamName('own');
        const bytes = Uint8Array.from([1, 2, 3, 4]);
        await store.save(stream, bytes);
        bytes.fill(9);
        const first = await store.load(stream);
        expect([...(first ?? [])]).toEqual([1, 2, 3, 4]);
        first?.fill(7);
        expect([...((await store.load(stream)) ?? [])]).toEqual([1, 2, 3, 4]);
      }),
    );

    it(
      'saves the bytes of a view, not the whole buffer under it',
      withStore(async (store) => {
        const stream = streamName('view');
        const buffer = Uint8Array.from([9, 9, 1, 2, 3, 9, 9]);
        await store.save(stream, buffer.subarray(2, 5));
        expect([...((await store.load(stream)) ?? [])]).toEqual([1, 2, 3]);
      }),
    );

    it(
      'forgets every snapshot on clear, and takes new ones after it',
      withStore(async (store) => {
        const streams = [streamName('clear-a'), streamName('clear-b')];
        for (const stream of streams) await store.save(stream, randomBytes(10));
        await store.clear();
        for (const stream of streams) await expect(store.load(stream)).resolves.toBeUndefined();
        const after = randomBytes(10);
        await store.save(streams[0] as string, after);
        expect(Buffer.from((await store.load(streams[0] as string)) ?? []).equals(after)).toBe(true);
      }),
    );

    it(
      'refuses a bad stream name or snapshot with a ValidationError naming the field, and saves nothing',
      withStore(async (store) => {
        const stream = streamName('refused');
        await expect(store.save('', randomBytes(4))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'stream' })] });
        await expect(store.save(stream, new Uint8Array(0))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'snapshot' })] });
        await expect(store.save(stream, 'bytes' as unknown as Uint8Array)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          issues: [expect.objectContaining({ path: 'snapshot' })],
        });
        await expect(store.load(42 as unknown as string)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'stream' })] });
        await expect(store.load(stream)).resolves.toBeUndefined();
      }),
    );

    if (setup.reopen) {
      const reopen = setup.reopen.bind(setup);
      it(
        'keeps its snapshots for the next process: a store opened again on the same storage reads them',
        withStore(async (store) => {
          const stream = streamName('durable');
          const bytes = randomBytes(64);
          await store.save(stream, bytes);
          const again = await reopen(store);
          expect(Buffer.from((await again.load(stream)) ?? []).equals(bytes)).toBe(true);
        }),
      );
    }
  });
}
