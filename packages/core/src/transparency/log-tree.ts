import type { EventStore, RecordedEvent } from '../store';
import { leafDataOfRecord, leafHash } from './hash';
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
  leaf(index: number): LogLeaf | undefined;
  /**
   * Adds a record read or delivered after the last one: a record at or before the last
   * position is one already held (a subscription and a catch-up overlap) and is skipped.
   * Returns the leaf index, or undefined when skipped.
   */
  add(record: RecordedEvent): number | undefined;
  /** Reads and adds what was appended to the store since; resolves to the new size. */
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
  return log;
}

export function createLogTree(store: EventStore): LogTree {
  const tree = createMerkleTree();
  const ids = new Map<string, number>();
  const records: { eventId: string; stream: string; revision: bigint; position: bigint }[] = [];
  let next: bigint | undefined;

  function add(record: RecordedEvent): number | undefined {
    if (next !== undefined && record.position < next) return undefined;
    const index = tree.append(leafHash(leafDataOfRecord(record.data)));
    // The first leaf of an id wins: a repeated id is tampering, which verify names.
    if (!ids.has(record.id)) ids.set(record.id, index);
    records.push({ eventId: record.id, stream: record.stream, revision: record.revision, position: record.position });
    next = record.position + 1n;
    return index;
  }

  return {
    tree,
    get size() {
      return tree.size;
    },
    indexOf: (eventId) => ids.get(eventId),
    add,
    leaf(index) {
      const record = records[index];
      return record && { index, ...record };
    },
    async catchUp({ upTo, onProgress } = {}) {
      if (upTo !== undefined && tree.size >= upTo) return tree.size;
      const maxCount = upTo === undefined ? undefined : upTo - tree.size;
      for await (const record of store.readAll({ ...(next !== undefined && { fromPosition: next }), ...(maxCount !== undefined && { maxCount }) })) {
        add(record);
        if (onProgress && tree.size % 10_000 === 0) onProgress(tree.size);
      }
      onProgress?.(tree.size);
      return tree.size;
    },
  };
}
