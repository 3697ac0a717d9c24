import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../errors';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore, scanRecords, type EventStore } from '../store';
import { overwriteRaw } from '../testing';
import { parseCheckpoint } from './checkpoint';
import { createCheckpointer, type Checkpointer } from './checkpointer';
import { CheckpointConflictError, CheckpointMismatchError } from './errors';
import { leafDataOfRecord, leafHash, rootOfLeaves } from './hash';
import { buildLogTree } from './log-tree';
import { openNote } from './note';
import { createFolderPublisher, createInMemoryPublisher, originFolderName, type Publisher } from './publisher';
import { createPemSigner, generateSignerKey } from './signer';
import { verifyConsistency } from './verify';

const ORIGIN = 'custodian.example/ledger';
const signer = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);

/** Writes sealed, chained records (the ledger's layout) straight to a store; remembers each stream's head. */
function writer(store: EventStore) {
  const heads = new Map<string, { hash: string; revision: bigint }>();
  return async (stream: string, body: Record<string, unknown> = {}) => {
    const head = heads.get(stream);
    const id = randomUUID();
    const { bytes, hash } = sealRecord({ id, ...body }, stream, head?.hash ?? GENESIS_HASH);
    heads.set(stream, { hash, revision: (head?.revision ?? -1n) + 1n });
    await store.append(stream, [{ id, type: 'Test', data: bytes }], head === undefined ? 'no_stream' : head.revision);
    return { id, bytes };
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sizesOf = (notes: readonly string[]) => notes.map((note) => parseCheckpoint(openNote(note, signer.verifierKey).text).size);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const running: Checkpointer[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function checkpointer(options: Partial<Parameters<typeof createCheckpointer>[0]> & { store: EventStore; publisher: Publisher }) {
  const made = createCheckpointer({ signer, origin: ORIGIN, intervalMs: 60_000, ...options });
  running.push(made);
  return made;
}
function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'custodian-checkpoints-'));
  folders.push(made);
  return made;
}
const filesIn = (root: string) => readdirSync(join(root, originFolderName(ORIGIN))).sort((a, b) => parseInt(a) - parseInt(b));

describe('the checkpointer', () => {
  it('signs every N events, at exactly those sizes, each root the root of the log at that size', async () => {
    const store = new InMemoryEventStore();
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 10 });
    await c.start();
    const write = writer(store);
    const records: Uint8Array[] = [];
    for (let i = 0; i < 25; i++) {
      records.push((await write(`subject-s${i % 4}`, { n: i })).bytes);
      if (i === 9) await until(() => publisher.published(ORIGIN).length === 1, 'the first checkpoint is published');
      if (i === 19) await until(() => publisher.published(ORIGIN).length === 2, 'two checkpoints are published');
    }
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([10, 20]);
    const leaves = records.map((bytes) => leafHash(leafDataOfRecord(bytes)));
    for (const note of publisher.published(ORIGIN)) {
      const { size, root } = parseCheckpoint(openNote(note, signer.verifierKey).text);
      expect(base64(root)).toBe(base64(rootOfLeaves(leaves.slice(0, size))));
    }
    const now = await c.checkpointNow();
    expect(now?.checkpoint.size).toBe(25);
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([10, 20, 25]);
    // Nothing new: nothing more is signed.
    expect((await c.checkpointNow())?.checkpoint.size).toBe(25);
    expect(publisher.published(ORIGIN)).toHaveLength(3);
  });

  it('signs once for a burst of many times N between two reads, at the last multiple passed', async () => {
    const store = new InMemoryEventStore();
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 10, pollMs: 20 });
    await c.start();
    const write = writer(store);
    const records: Uint8Array[] = [];
    for (let i = 0; i < 35; i++) records.push((await write(`subject-s${i % 4}`)).bytes);
    await until(() => publisher.published(ORIGIN).length === 1, 'a checkpoint is published');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([30]);
    const leaves = records.map((bytes) => leafHash(leafDataOfRecord(bytes)));
    expect(base64(c.latest()!.checkpoint.root)).toBe(base64(rootOfLeaves(leaves.slice(0, 30))));
    // The tree read on past it: the next multiple is counted from the checkpoint, not from the read.
    for (let i = 0; i < 5; i++) records.push((await write(`subject-s${i % 4}`)).bytes);
    await until(() => publisher.published(ORIGIN).length === 2, 'the next checkpoint is published');
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([30, 40]);
    expect(base64(c.latest()!.checkpoint.root)).toBe(base64(rootOfLeaves(records.map((bytes) => leafHash(leafDataOfRecord(bytes))))));
  });

  it('signs when the interval passes and the log grew, and not when it did not', async () => {
    const store = new InMemoryEventStore();
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 1_000, intervalMs: 20 });
    await c.start();
    const write = writer(store);
    for (let i = 0; i < 3; i++) await write('subject-a');
    await until(() => publisher.published(ORIGIN).length === 1, 'a checkpoint is published');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([3]);
  });

  it('follows a store without subscribeToAll by reading it again', async () => {
    const inner = new InMemoryEventStore();
    const store: EventStore = { append: (...a) => inner.append(...a), readStream: (...a) => inner.readStream(...a), readAll: (o) => inner.readAll(o), close: () => inner.close() };
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 5, pollMs: 10 });
    await c.start();
    const write = writer(store);
    for (let i = 0; i < 7; i++) await write(`subject-s${i % 2}`);
    await until(() => publisher.published(ORIGIN).length === 1, 'a checkpoint is published');
    expect(sizesOf(publisher.published(ORIGIN))[0]).toBeGreaterThanOrEqual(5);
  });

  it('follows the log by reading it in bulk, never event by event through subscribeToAll', async () => {
    const inner = new InMemoryEventStore();
    const store: EventStore = {
      append: (...a) => inner.append(...a),
      readStream: (...a) => inner.readStream(...a),
      readAll: (o) => inner.readAll(o),
      subscribeToAll: () => {
        throw new Error('a subscription costs the service a copied record and a handler per event');
      },
      close: () => inner.close(),
    };
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 4, pollMs: 10 });
    await c.start();
    const write = writer(store);
    for (let i = 0; i < 9; i++) {
      await write(`subject-s${i % 2}`);
      if (i === 3) await until(() => publisher.published(ORIGIN).length === 1, 'the first checkpoint is published');
    }
    await until(() => publisher.published(ORIGIN).length === 2, 'two checkpoints are published');
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([4, 8]);
  });

  it('refuses settings that are not whole numbers, naming them', () => {
    const store = new InMemoryEventStore();
    expect(() => createCheckpointer({ store, signer, origin: ORIGIN, every: 0, publisher: createInMemoryPublisher() })).toThrow(ValidationError);
    expect(() => createCheckpointer({ store, signer, origin: ORIGIN, every: 0, publisher: createInMemoryPublisher() })).toThrow(/every/);
    expect(() => createCheckpointer({ store, signer, origin: ORIGIN, intervalMs: 1.5, publisher: createInMemoryPublisher() })).toThrow(/intervalMs/);
    expect(() => createCheckpointer({ store, signer, origin: 'two\nlines', publisher: createInMemoryPublisher() })).toThrow(/origin/);
  });
});

describe('the folder publisher', () => {
  it('writes <origin>/<size>.checkpoint, never replaces one, and gives the latest', async () => {
    const root = folder();
    const publisher = createFolderPublisher(root);
    const store = new InMemoryEventStore();
    const write = writer(store);
    const c = checkpointer({ store, publisher });
    for (let i = 0; i < 3; i++) await write('subject-a');
    const first = await c.checkpointNow();
    await write('subject-b');
    const second = await c.checkpointNow();
    expect(filesIn(root)).toEqual(['3.checkpoint', '4.checkpoint']);
    expect(readFileSync(join(root, originFolderName(ORIGIN), '3.checkpoint'), 'utf8')).toBe(first?.note);
    expect(await publisher.latest(ORIGIN)).toBe(second?.note);
    expect(await publisher.latest('another.example/log')).toBeUndefined();
    // The same note again is no change; another note of a published size is a fork, refused.
    await publisher.publish(first?.note as string, first!.checkpoint);
    await expect(publisher.publish(second?.note as string, { ...second!.checkpoint, size: 3 })).rejects.toThrow(CheckpointConflictError);
    expect(readFileSync(join(root, originFolderName(ORIGIN), '3.checkpoint'), 'utf8')).toBe(first?.note);
    expect(readdirSync(join(root, originFolderName(ORIGIN)))).toHaveLength(2);
  });

  it('names origins one to one, with no path in them', () => {
    expect(originFolderName('custodian.example/ledger')).toBe('custodian.example%2Fledger');
    expect(originFolderName('..')).toBe('%2E.');
    expect(originFolderName('a_b')).not.toBe(originFolderName('a/b'));
  });
});

describe('a checkpointer restarted', () => {
  it('resumes from the latest checkpoint in the folder and extends it', async () => {
    const root = folder();
    const store = new InMemoryEventStore();
    const write = writer(store);
    const a = checkpointer({ store, publisher: createFolderPublisher(root), every: 5 });
    await a.start();
    for (let i = 0; i < 12; i++) {
      await write(`subject-s${i % 3}`);
      if (i === 4) await until(() => a.latest()?.checkpoint.size === 5, 'size 5 is signed');
    }
    await until(() => a.latest()?.checkpoint.size === 10, 'size 10 is signed');
    await a.stop();

    const b = checkpointer({ store, publisher: createFolderPublisher(root), every: 5 });
    await b.start();
    expect(b.latest()?.note).toBe(a.latest()?.note);
    await write('subject-s9');
    const next = await b.checkpointNow();
    expect(next?.checkpoint.size).toBe(13);
    expect(filesIn(root)).toEqual(['5.checkpoint', '10.checkpoint', '13.checkpoint']);
    const log = await buildLogTree(store);
    const old = a.latest()!.checkpoint;
    expect(verifyConsistency(10, 13, log.tree.consistencyProof(10, 13), old.root, next!.checkpoint.root)).toEqual({ ok: true });
  });

  it('refuses to sign for a log reordered behind its latest checkpoint, though every stream chain is intact', async () => {
    const root = folder();
    const store = new InMemoryEventStore();
    const write = writer(store);
    const written: { stream: string; id: string; bytes: Uint8Array }[] = [];
    for (let i = 0; i < 10; i++) {
      const stream = `subject-s${i % 2}`;
      written.push({ stream, ...(await write(stream)) });
    }
    await checkpointer({ store, publisher: createFolderPublisher(root) }).checkpointNow();

    // The same records, the two streams' first events swapped in the global order.
    const rewritten = new InMemoryEventStore();
    const order = [1, 0, 2, 3, 4, 5, 6, 7, 8, 9];
    const revisions = new Map<string, bigint>();
    for (const i of order) {
      const { stream, id, bytes } = written[i]!;
      const revision = revisions.get(stream);
      await rewritten.append(stream, [{ id, type: 'Test', data: bytes }], revision === undefined ? 'no_stream' : revision);
      revisions.set(stream, (revision ?? -1n) + 1n);
    }
    const onError: unknown[] = [];
    const b = checkpointer({ store: rewritten, publisher: createFolderPublisher(root), onError: (e) => onError.push(e) });
    await expect(b.start()).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', size: 10, reason: 'root_mismatch' });
    await write('subject-s5');
    await expect(b.checkpointNow()).rejects.toThrow(CheckpointMismatchError);
    expect(filesIn(root)).toEqual(['10.checkpoint']);
  });

  it('refuses to sign for a log whose tail was cut after its latest checkpoint', async () => {
    const root = folder();
    const store = new InMemoryEventStore();
    const write = writer(store);
    const written: { stream: string; id: string; bytes: Uint8Array }[] = [];
    for (let i = 0; i < 6; i++) written.push({ stream: 'subject-a', ...(await write('subject-a')) });
    await checkpointer({ store, publisher: createFolderPublisher(root) }).checkpointNow();
    const cut = new InMemoryEventStore();
    for (const [revision, { stream, id, bytes }] of written.slice(0, 4).entries())
      await cut.append(stream, [{ id, type: 'Test', data: bytes }], revision === 0 ? 'no_stream' : BigInt(revision - 1));
    const b = checkpointer({ store: cut, publisher: createFolderPublisher(root) });
    await expect(b.checkpointNow()).rejects.toMatchObject({ reason: 'log_shorter', size: 6, logSize: 4 });
    expect(filesIn(root)).toEqual(['6.checkpoint']);
  });

  it('takes the appends of its process as written, reading back only those it did not see, to checkpoints of the log as readAll gives it', async () => {
    const store = new InMemoryEventStore();
    let read = 0;
    const scan = store[scanRecords].bind(store);
    store[scanRecords] = (from, maxCount, visit, idsAsBytes) => scan(from, maxCount, (record) => (read++, visit(record)), idsAsBytes);
    const write = writer(store);
    await write('subject-a');
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 4, pollMs: 5 });
    await c.checkpointNow();
    await c.start();
    read = 0;
    for (let i = 0; i < 8; i++) {
      await write(`subject-s${i % 3}`);
      if (i % 4 === 3) await until(() => publisher.published(ORIGIN).length === 2 + (i >> 2), `size ${i + 2} is signed`);
    }
    expect(read).toBe(0);
    await c.stop();
    for (let i = 0; i < 3; i++) await write('subject-b');
    expect((await c.checkpointNow())?.checkpoint.size).toBe(12);
    expect(read).toBe(3);
    const log = await buildLogTree(store);
    for (const note of publisher.published(ORIGIN)) {
      const { size, root } = parseCheckpoint(openNote(note, signer.verifierKey).text);
      expect(base64(root)).toBe(base64(log.tree.rootAt(size)));
    }
  });

  it('stops signing when the last checkpointed event is replaced under it while it runs', async () => {
    const store = new InMemoryEventStore();
    const publisher = createInMemoryPublisher();
    const errors: unknown[] = [];
    const c = checkpointer({ store, publisher, every: 5, onError: (e) => errors.push(e) });
    await c.start();
    const write = writer(store);
    for (let i = 0; i < 5; i++) await write('subject-a');
    await until(() => publisher.published(ORIGIN).length === 1, 'size 5 is signed');
    // Someone with write access replaces the fifth record; the checkpointer read it long ago.
    const forged = sealRecord({ id: 'forged', n: 99 }, 'subject-a', GENESIS_HASH);
    overwriteRaw(store, 'subject-a', 4n, forged.bytes);
    for (let i = 0; i < 5; i++) await write('subject-b');
    await until(() => errors.length > 0, 'the checkpointer refuses');
    expect(errors[0]).toMatchObject({ code: 'CHECKPOINT_MISMATCH', size: 5, reason: 'leaf_changed' });
    await expect(c.checkpointNow()).rejects.toThrow(CheckpointMismatchError);
    expect(sizesOf(publisher.published(ORIGIN))).toEqual([5]);
  });
});

describe('a crash between signing and publishing', () => {
  it('loses only a note handed to no one, and the next checkpoint is consistent with it', async () => {
    const root = folder();
    const store = new InMemoryEventStore();
    const write = writer(store);
    const folderPublisher = createFolderPublisher(root);
    const lost: string[] = [];
    let calls = 0;
    const crashing: Publisher = {
      latest: (origin) => folderPublisher.latest(origin),
      async publish(note, checkpoint) {
        if (++calls === 2) {
          lost.push(note);
          throw new Error('the process died here');
        }
        await folderPublisher.publish(note, checkpoint);
      },
    };
    const errors: unknown[] = [];
    const a = checkpointer({ store, publisher: crashing, every: 5, onError: (e) => errors.push(e) });
    await a.start();
    for (let i = 0; i < 10; i++) {
      await write(`subject-s${i % 3}`);
      if (i === 4) await until(() => a.latest()?.checkpoint.size === 5, 'size 5 is signed');
    }
    await until(() => errors.length === 1, 'the second publish fails');
    expect(a.latest()?.checkpoint.size).toBe(5);
    await a.stop();
    expect(filesIn(root)).toEqual(['5.checkpoint']);

    const b = checkpointer({ store, publisher: createFolderPublisher(root), every: 5 });
    await b.start();
    expect(b.latest()?.checkpoint.size).toBe(5);
    await write('subject-s1');
    await write('subject-s2');
    const next = await b.checkpointNow();
    expect(next?.checkpoint.size).toBe(12);
    const signedBeforeTheCrash = parseCheckpoint(openNote(lost[0] as string, signer.verifierKey).text);
    expect(signedBeforeTheCrash.size).toBe(10);
    expect(verifyConsistency(10, 12, b.log.tree.consistencyProof(10, 12), signedBeforeTheCrash.root, next!.checkpoint.root)).toEqual({ ok: true });
  });
});

describe('checkpoints while writers append concurrently', () => {
  it('are all consistent with one another and with the log rebuilt from readAll', async () => {
    const store = new InMemoryEventStore();
    const publisher = createInMemoryPublisher();
    const c = checkpointer({ store, publisher, every: 3 });
    await c.start();
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        const write = writer(store);
        for (let i = 0; i < 30; i++) {
          await write(`subject-w${w}`, { i });
          if (i % 10 === 0) await c.checkpointNow();
        }
      }),
    );
    expect((await c.checkpointNow())?.checkpoint.size).toBe(180);
    const log = await buildLogTree(store);
    const checkpoints = publisher.published(ORIGIN).map((note) => parseCheckpoint(openNote(note, signer.verifierKey).text));
    expect(checkpoints.length).toBeGreaterThan(10);
    for (const [i, checkpoint] of checkpoints.entries()) {
      expect(base64(checkpoint.root)).toBe(base64(log.tree.rootAt(checkpoint.size)));
      const before = checkpoints[i - 1];
      if (!before) continue;
      expect(checkpoint.size).toBeGreaterThan(before.size);
      const proof = log.tree.consistencyProof(before.size, checkpoint.size);
      expect(verifyConsistency(before.size, checkpoint.size, proof, before.root, checkpoint.root)).toEqual({ ok: true });
    }
  });
});
