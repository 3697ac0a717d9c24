import { readStoredHash } from '../crypto';
import { EventIdSet } from '../events';
import { canTap, readLog, tapAppends, type AppendTap, type EventStore, type EventToAppend, type RecordedEvent, type ScannedRecord } from '../store';
import { leafDataOfRecord } from './hash';
import { hashLeafRange } from './leaf-range';
import { hashLeafRangeOffThread } from './tree-hashing';
import { createMerkleTree, type MerkleTree } from './tree';

/** Where a leaf of the log's tree came from: the record it hashes. */
export interface LogLeaf {
  readonly index: number;
  readonly eventId: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/**
 * The Merkle tree over the whole log, in `readAll` order: leaf i is the i-th record read,
 * its leaf data the 32 bytes of the record's `hash` member. It remembers which record each
 * leaf is, so a proof can be asked for by event id and a mismatch named by its record.
 */
export interface LogTree {
  readonly tree: MerkleTree;
  readonly size: number;
  /** The leaf index of an event, or undefined when the tree holds no such event. */
  indexOf(eventId: string): number | undefined;
  /** Brings the id index up to the tree's size now; otherwise `indexOf` does it when first asked. */
  indexIds(): void;
  leaf(index: number): LogLeaf | undefined;
  /**
   * Adds a record read or delivered after the last one: a record at or before the last
   * position is one already held (a subscription and a catch-up overlap) and is skipped.
   * Returns the leaf index, or undefined when skipped.
   */
  add(record: RecordedEvent): number | undefined;
  /**
   * Reads and adds what was appended to the store since; resolves to the new size. A long
   * read's leaves are hashed on a worker thread, off the thread of the service it runs in:
   * `add` waits for no catch-up, so the two are not to be called at once.
   */
  catchUp(options?: CatchUpOptions): Promise<number>;
  /**
   * Follows the appends of this process where the store tells them (the in-memory store
   * does): a record appended right after the last one held is taken as it is written, its
   * leaf data read from the bytes handed to the store, and the next `catchUp` adds it without
   * reading it back. Any other (written by another process or behind the store's back, while
   * a catch-up runs, or with no readable hash member) is read by `catchUp` as before. Returns
   * the function that stops following; with no such store it follows nothing.
   */
  followAppends(): () => void;
}

export interface CatchUpOptions {
  /** Stop once the tree holds this many leaves (a checkpoint's size). */
  upTo?: number;
  onProgress?: (size: number) => void;
}

/** Builds the log's tree from the store's records: every store's `readAll` order is the log's order. */
export async function buildLogTree(store: EventStore, options: CatchUpOptions = {}): Promise<LogTree> {
  const log = createLogTree(store);
  await log.catchUp(options);
  // A tree built to answer proofs indexes its ids now, so that no proof pays for the whole log.
  log.indexIds();
  return log;
}

/**
 * The streams of the leaves, numbered in the order first seen: a leaf keeps a number, not a
 * reference to a string that a followed append made afresh and the tree would keep alive.
 */
function streamNumbering() {
  const names: string[] = [];
  const numbers = new Map<string, number>();
  /** The store's own number for a stream (`ScannedRecord.streamNumber`), to ours. */
  const byStoreNumber: number[] = [];
  return {
    numberOf(record: ScannedRecord): number {
      const known = record.streamNumber >= 0 ? byStoreNumber[record.streamNumber] : undefined;
      if (known !== undefined) return known;
      let number = numbers.get(record.stream);
      if (number === undefined) {
        number = names.length;
        names.push(record.stream);
        numbers.set(record.stream, number);
      }
      if (record.streamNumber >= 0) byStoreNumber[record.streamNumber] = number;
      return number;
    },
    name: (number: number) => names[number] as string,
  };
}

/**
 * Per-leaf columns: what `leaf` answers, without an object kept per leaf. Ids are kept as
 * their UTF-8 bytes, all in one buffer: a string per leaf would be made from the store's bytes
 * and then carried by the garbage collector for as long as the tree lives, and an id is
 * wanted as a string only for a proof or a receipt.
 */
function leafColumns() {
  let revisions: Float64Array = new Float64Array(1024);
  let positions: Float64Array = new Float64Array(1024);
  let idEnds: Float64Array = new Float64Array(1024);
  let idBytes = Buffer.alloc(36 * 1024);
  let idsUsed = 0;
  let count = 0;
  let streamOf = new Int32Array(1024);
  const streams = streamNumbering();
  function roomFor(length: number): void {
    if (idsUsed + length <= idBytes.length) return;
    const more = Buffer.alloc(2 * idBytes.length + length);
    idBytes.copy(more, 0, 0, idsUsed);
    idBytes = more;
  }
  function pushId(record: ScannedRecord): void {
    const { idSource, idStart = 0, idEnd = 0 } = record;
    if (idSource === undefined) {
      roomFor(Buffer.byteLength(record.id));
      idsUsed += idBytes.write(record.id, idsUsed);
      return;
    }
    roomFor(idEnd - idStart);
    // Locals in the loop: the closure's own variable would be written back at every byte.
    const to = idBytes;
    let used = idsUsed;
    for (let at = idStart; at < idEnd; at++) to[used++] = idSource[at] as number;
    idsUsed = used;
  }
  const eventIdAt = (index: number) => idBytes.toString('utf8', index === 0 ? 0 : (idEnds[index - 1] as number), idEnds[index] as number);
  return {
    push(record: ScannedRecord): void {
      if (count === positions.length) {
        revisions = grown(revisions);
        positions = grown(positions);
        idEnds = grown(idEnds);
        streamOf = grown(streamOf);
      }
      revisions[count] = record.revision;
      positions[count] = record.position;
      pushId(record);
      idEnds[count] = idsUsed;
      streamOf[count] = streams.numberOf(record);
      count++;
    },
    eventIdAt,
    leaf(index: number): LogLeaf | undefined {
      if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
      return {
        index,
        eventId: eventIdAt(index),
        stream: streams.name(streamOf[index] as number),
        revision: BigInt(revisions[index] as number),
        position: BigInt(positions[index] as number),
      };
    },
  };
}

/** Leaves taken from followed appends before a catch-up hashes them, at most: past this, appends are read back. */
const FOLLOWED_AT_MOST = 1 << 20;

/** Leaves a catch-up reads before it hashes them: from this many on, on a worker thread. */
const OFF_THREAD_FROM = 256;

/** The leaf data of the records read since the last flush, 32 bytes apiece. */
function leafRange() {
  let data = new Uint8Array(32 * 1024);
  const range = {
    count: 0,
    /** The buffer the next leaf's data goes in, at `offset()`. */
    slot(): Uint8Array {
      if ((range.count + 1) * 32 > data.length) {
        const more = new Uint8Array(2 * data.length);
        more.set(data);
        data = more;
      }
      return data;
    },
    offset: () => range.count * 32,
    /** The leaves read so far, in a buffer of their own, and a fresh start. */
    take(): { data: Uint8Array; count: number } {
      const taken = { data: data.slice(0, range.count * 32), count: range.count };
      range.count = 0;
      return taken;
    },
  };
  return range;
}

function grown<T extends Float64Array | Int32Array>(from: T): T {
  const to = new (from.constructor as new (length: number) => T)(from.length * 2);
  to.set(from);
  return to;
}

/**
 * The ranges a catch-up reads, hashed (on the worker thread when long) and appended to the
 * tree in read order: one range is hashed while the next is read. `hand` resolves once the
 * range before it is in the tree, so at most two are out at once.
 */
function rangeHashing(tree: MerkleTree, onProgress: ((size: number) => void) | undefined) {
  let appended: Promise<void> = Promise.resolve();
  let handed = tree.size;
  return {
    async hand({ data, count }: { data: Uint8Array; count: number }): Promise<void> {
      if (count === 0) return;
      const hashed = count >= OFF_THREAD_FROM ? hashLeafRangeOffThread(data, count, handed) : Promise.resolve(hashLeafRange(data, count, handed));
      handed += count;
      // Heard here until the tree takes it: a range that fails while the one before is still hashed must not end the process.
      hashed.catch(() => undefined);
      const before = appended;
      appended = before.then(async () => {
        tree.appendHashed(await hashed, count);
        onProgress?.(tree.size);
      });
      // A failure is thrown by the next hand or by done, never left unheard.
      appended.catch(() => undefined);
      await before;
    },
    done: () => appended,
  };
}

/** What a log tree holds beyond its tree: where its reads go on from, and the leaves taken and not yet in the tree. */
interface Held {
  /** The position after the last record held. */
  next: number | undefined;
  /** While a catch-up reads, appends are left to the next one: they may be behind where it reads. */
  catching: boolean;
  /** Leaf data taken since the last flush, from a catch-up's reads or from appends followed: positions below `next`. */
  readonly range: ReturnType<typeof leafRange>;
  readonly columns: ReturnType<typeof leafColumns>;
}

/** Takes a record a catch-up read, unless held already; returns the error naming what is wrong with one with no readable hash member. */
function takeRead(held: Held, record: ScannedRecord): unknown {
  const { range } = held;
  if (held.next !== undefined && record.position < held.next) return undefined;
  if (!readStoredHash(record.data, range.slot(), range.offset())) {
    try {
      range.slot().set(leafDataOfRecord(record.data), range.offset());
    } catch (error) {
      return error;
    }
  }
  range.count++;
  held.columns.push(record);
  held.next = record.position + 1;
  return undefined;
}

/** Takes each append that comes right after the last record held, from the bytes written (see `LogTree.followAppends`). */
function appendsTaken(held: Held): AppendTap {
  const { range, columns } = held;
  const taken: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', data: new Uint8Array(0), streamNumber: -1 };
  return ({ stream, streamNumber, position, revision, events }) => {
    if (held.catching || held.next !== position || range.count + events.length > FOLLOWED_AT_MOST) return;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as EventToAppend;
      // Left to catchUp, which names what is wrong with a record with no readable hash member.
      if (!readStoredHash(event.data, range.slot(), range.offset())) return;
      range.count++;
      taken.stream = stream;
      taken.streamNumber = streamNumber;
      taken.revision = revision + i;
      taken.position = position + i;
      taken.id = event.id;
      taken.data = event.data;
      columns.push(taken);
      held.next = position + i + 1;
    }
  };
}

export function createLogTree(store: EventStore): LogTree {
  const tree = createMerkleTree();
  const ids = new EventIdSet();
  const columns = leafColumns();
  const leafData = new Uint8Array(32);
  const delivered: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', data: leafData, streamNumber: -1 };
  /** Leaves below this are in `ids`: the id index is brought up to date when asked, not on the checkpointer's path. */
  let indexed = 0;
  const held: Held = { next: undefined, catching: false, range: leafRange(), columns };
  const { range } = held;

  function indexIds(): void {
    // The first leaf of an id wins: a repeated id is tampering, which verify names.
    for (; indexed < tree.size; indexed++) ids.add(columns.eventIdAt(indexed), indexed);
  }

  function indexOf(eventId: string): number | undefined {
    indexIds();
    return ids.get(eventId);
  }

  function addScanned(record: ScannedRecord): number | undefined {
    if (held.next !== undefined && record.position < held.next) return undefined;
    if (range.count > 0) {
      const { data, count } = range.take();
      tree.appendHashed(hashLeafRange(data, count, tree.size), count);
    }
    // The slow path names what is wrong with a record that has no readable hash member.
    if (!readStoredHash(record.data, leafData, 0)) leafData.set(leafDataOfRecord(record.data));
    const index = tree.appendLeafData(leafData);
    columns.push(record);
    held.next = record.position + 1;
    return index;
  }

  return {
    tree,
    get size() {
      return tree.size;
    },
    indexOf,
    indexIds,
    add(record) {
      delivered.stream = record.stream;
      delivered.streamNumber = -1;
      delivered.revision = Number(record.revision);
      delivered.position = Number(record.position);
      delivered.id = record.id;
      delivered.data = record.data;
      return addScanned(delivered);
    },
    // Columns run ahead of the tree by the leaves taken and not yet flushed.
    leaf: (index) => (index < tree.size ? columns.leaf(index) : undefined),
    followAppends: () => (canTap(store) ? store[tapAppends](appendsTaken(held)) : () => undefined),
    async catchUp({ upTo, onProgress } = {}) {
      if (upTo !== undefined && tree.size >= upTo) return tree.size;
      const maxCount = upTo === undefined ? undefined : Math.max(0, upTo - tree.size - range.count);
      /** A record with no readable hash member: the leaves before it are added, then this is thrown. */
      let unreadable: unknown;
      const hashing = rangeHashing(tree, onProgress);
      const flush = () => hashing.hand(range.take());
      held.catching = true;
      try {
        if (maxCount !== 0)
          await readLog(
            store,
            { ...(held.next !== undefined && { fromPosition: held.next }), ...(maxCount !== undefined && { maxCount }), between: flush, idsAsBytes: true },
            (record) => {
              if (unreadable === undefined) unreadable = takeRead(held, record);
            },
          );
        await flush();
        await hashing.done();
      } finally {
        held.catching = false;
      }
      if (unreadable !== undefined) throw unreadable;
      onProgress?.(tree.size);
      return tree.size;
    },
  };
}
