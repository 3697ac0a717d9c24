import { readStoredHash } from '../crypto';
import { EventIdSet } from '../events';
import { readLog, type EventStore, type RecordedEvent, type ScannedRecord } from '../store';
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
  const streams: string[] = [];
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
      }
      revisions[count] = record.revision;
      positions[count] = record.position;
      pushId(record);
      idEnds[count] = idsUsed;
      streams.push(record.stream);
      count++;
    },
    eventIdAt,
    leaf(index: number): LogLeaf | undefined {
      if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
      return { index, eventId: eventIdAt(index), stream: streams[index] as string, revision: BigInt(revisions[index] as number), position: BigInt(positions[index] as number) };
    },
  };
}

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

function grown(from: Float64Array): Float64Array {
  const to = new Float64Array(from.length * 2);
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

export function createLogTree(store: EventStore): LogTree {
  const tree = createMerkleTree();
  const ids = new EventIdSet();
  const columns = leafColumns();
  const leafData = new Uint8Array(32);
  const delivered: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', data: leafData, streamNumber: -1 };
  let next: number | undefined;
  /** Leaves below this are in `ids`: the id index is brought up to date when asked, not on the checkpointer's path. */
  let indexed = 0;

  function indexIds(): void {
    // The first leaf of an id wins: a repeated id is tampering, which verify names.
    for (; indexed < tree.size; indexed++) ids.add(columns.eventIdAt(indexed), indexed);
  }

  function indexOf(eventId: string): number | undefined {
    indexIds();
    return ids.get(eventId);
  }

  function addScanned(record: ScannedRecord): number | undefined {
    if (next !== undefined && record.position < next) return undefined;
    // The slow path names what is wrong with a record that has no readable hash member.
    if (!readStoredHash(record.data, leafData, 0)) leafData.set(leafDataOfRecord(record.data));
    const index = tree.appendLeafData(leafData);
    columns.push(record);
    next = record.position + 1;
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
      delivered.revision = Number(record.revision);
      delivered.position = Number(record.position);
      delivered.id = record.id;
      delivered.data = record.data;
      return addScanned(delivered);
    },
    leaf: (index) => columns.leaf(index),
    async catchUp({ upTo, onProgress } = {}) {
      if (upTo !== undefined && tree.size >= upTo) return tree.size;
      const maxCount = upTo === undefined ? undefined : upTo - tree.size;
      const range = leafRange();
      /** A record with no readable hash member: the leaves before it are added, then this is thrown. */
      let unreadable: unknown;
      const hashing = rangeHashing(tree, onProgress);
      const flush = () => hashing.hand(range.take());
      await readLog(store, { ...(next !== undefined && { fromPosition: next }), ...(maxCount !== undefined && { maxCount }), between: flush, idsAsBytes: true }, (record) => {
        if (unreadable !== undefined || (next !== undefined && record.position < next)) return;
        if (!readStoredHash(record.data, range.slot(), range.offset())) {
          try {
            range.slot().set(leafDataOfRecord(record.data), range.offset());
          } catch (error) {
            unreadable = error;
            return;
          }
        }
        range.count++;
        columns.push(record);
        next = record.position + 1;
      });
      await flush();
      await hashing.done();
      if (unreadable !== undefined) throw unreadable;
      onProgress?.(tree.size);
      return tree.size;
    },
  };
}
