import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  buildLogTree,
  createCheckpointer,
  createInMemoryPublisher,
  createMerkleTree,
  createPemSigner,
  GENESIS_HASH,
  generateSignerKey,
  leafDataOfRecord,
  leafHash,
  openNote,
  parseCheckpoint,
  sealRecord,
  type EventStore,
} from '@custodian/core';
import type { EventStoreFactory } from './event-store-conformance';

export interface TreeConformanceOptions {
  /** Concurrent writers, each on streams of its own. */
  writers?: number;
  /** Appends each writer makes; every third one appends two events at once. */
  appendsPerWriter?: number;
}

const ORIGIN = 'conformance.example/log';

/** Appends sealed, chained records (the ledger's layout, so each has its leaf data) to streams of its own. */
async function write(store: EventStore, appends: number): Promise<void> {
  const stream = `tree-${randomUUID()}`;
  let prevHash = GENESIS_HASH;
  let revision: bigint | undefined;
  for (let i = 0; i < appends; i++) {
    const batch = Array.from({ length: i % 3 === 2 ? 2 : 1 }, () => {
      const id = randomUUID();
      const { bytes, hash } = sealRecord({ id, i }, stream, prevHash);
      prevHash = hash;
      return { id, type: 'TreeTest', data: bytes };
    });
    revision = (await store.append(stream, batch, revision === undefined ? 'no_stream' : revision)).nextRevision;
  }
}

async function leavesOf(store: EventStore): Promise<Uint8Array[]> {
  const leaves: Uint8Array[] = [];
  for await (const record of store.readAll()) leaves.push(leafHash(leafDataOfRecord(record.data)));
  return leaves;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * What the transparency log needs of a store: a prefix of `readAll`, once read, never
 * changes (no event slips in before one already read, none moves), so every root once
 * computed is computed again by anyone later, and the tree a checkpointer grows one event
 * at a time is the tree anyone rebuilds from `readAll`. The store must hold only the
 * suite's events (a fresh store, or a namespaced view of a shared one).
 */
export function runTreeConformance(name: string, factory: EventStoreFactory, options: TreeConformanceOptions = {}): void {
  const writers = options.writers ?? 4;
  const appends = options.appendsPerWriter ?? 24;
  const perWriter = appends + Math.floor((appends + 1) / 3);

  describe(`Tree conformance: ${name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it('reproduces every root at every size once read, while other writers append concurrently', async () => {
      /** roots[s]: the root of the first s leaves, as first read. */
      const roots: string[] = [];
      let reads = 0;
      const check = async () => {
        const tree = createMerkleTree();
        for (const leaf of await leavesOf(store)) tree.append(leaf);
        reads++;
        expect(tree.size).toBeGreaterThanOrEqual(roots.length - 1);
        for (let size = 1; size < roots.length; size++) expect(`${size}:${hex(tree.rootAt(size))}`).toBe(`${size}:${roots[size]}`);
        for (let size = Math.max(1, roots.length); size <= tree.size; size++) roots[size] = hex(tree.rootAt(size));
      };
      let done = false;
      const writing = Promise.all(Array.from({ length: writers }, () => write(store, appends))).finally(() => {
        done = true;
      });
      while (!done) await check();
      await writing;
      await check();
      expect(roots.length - 1).toBe(writers * perWriter);
      expect(reads).toBeGreaterThan(1);
    });

    it('rebuilds from readAll the tree a checkpointer grew one event at a time, at each checkpoint and at every size', async () => {
      const signer = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);
      const publisher = createInMemoryPublisher();
      const checkpointer = createCheckpointer({ store, signer, origin: ORIGIN, publisher, every: 7, intervalMs: 60_000, pollMs: 5 });
      await checkpointer.start();
      try {
        await Promise.all(Array.from({ length: writers }, () => write(store, appends)));
        // Let it follow the log to its end on its own (a subscription may lag behind the writers), signing on the way.
        const deadline = Date.now() + 30_000;
        while (checkpointer.log.size < writers * perWriter && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        const last = await checkpointer.checkpointNow();
        expect(last?.checkpoint.size).toBe(writers * perWriter);
      } finally {
        await checkpointer.stop();
      }
      const rebuilt = await buildLogTree(store);
      const grown = checkpointer.log.tree;
      expect(grown.size).toBe(rebuilt.size);
      for (let size = 1; size <= rebuilt.size; size++) expect(`${size}:${hex(grown.rootAt(size))}`).toBe(`${size}:${hex(rebuilt.tree.rootAt(size))}`);
      const published = publisher.published(ORIGIN).map((note) => parseCheckpoint(openNote(note, signer.verifierKey).text));
      expect(published.length).toBeGreaterThan(1);
      for (const checkpoint of published) expect(`${checkpoint.size}:${hex(checkpoint.root)}`).toBe(`${checkpoint.size}:${hex(rebuilt.tree.rootAt(checkpoint.size))}`);
    });
  });
}
