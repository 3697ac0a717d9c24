import type { EventStore, EventToAppend } from './port';

/**
 * Core's own bulk read of the log, for the walks over all of it (verify, the log's tree,
 * the checkpointer): a store that offers it hands each record to the visitor as a view of
 * its own bytes, where `readAll` copies each record so that no caller can write into the
 * store. It is keyed by this symbol, which the package does not export: only core's
 * readers, which never write to a record or keep it past the visit, are handed views.
 */
export const scanRecords: unique symbol = Symbol('custodian.scanRecords');

/** One record as a scan hands it over: valid during the visit only, and one object reused for every record. */
export interface ScannedRecord {
  stream: string;
  revision: number;
  position: number;
  /** Empty when the scan was asked for ids as bytes and the store holds them so (see `idSource`). */
  id: string;
  /**
   * Set only by a scan asked for ids as bytes (`idsAsBytes`): the id's UTF-8 is bytes
   * `idStart` to `idEnd` of this view of the store's own, and no string is made of it (a walk
   * that packs ids as bytes for worker threads would only encode it again).
   */
  idSource?: Uint8Array;
  idStart?: number;
  idEnd?: number;
  /** A view of the stored bytes: read it, never write it or keep it. */
  data: Uint8Array;
  /**
   * The store's own number for the record's stream, one to one with its name and below 2^31,
   * where it has one (a walk then finds its state by number, not by name); -1 otherwise.
   */
  streamNumber: number;
}

export interface ScanningStore {
  /**
   * Visits, synchronously and in global order, up to `maxCount` records from position `from`
   * (inclusive; a position the store does not hold starts at the next one). Returns the
   * position to go on from, or undefined at the end of the log. With `idsAsBytes`, each
   * record's id is handed as bytes (`idSource`) and `id` is left empty.
   */
  [scanRecords](from: number, maxCount: number, visit: (record: ScannedRecord) => void, idsAsBytes?: boolean): number | undefined;
}

/** Hears each append the store wrote, synchronously, before `append` resolves: never one retried, refused or rolled back. */
export type AppendTap = (appended: {
  readonly stream: string;
  readonly streamNumber: number;
  readonly position: number;
  readonly revision: number;
  readonly events: readonly EventToAppend[];
}) => void;

/**
 * Keyed by a symbol the package does not export, like `scanRecords`: a store whose positions
 * are gap-free record numbers may tell core's log tree what it writes, so a follower of the
 * log (the checkpointer) takes those records as they are appended, while their bytes are
 * still in the processor's cache, instead of reading them back. `position` and `revision`
 * are the first event's; the events are the bytes written, in order, one position apart;
 * `streamNumber` is the store's number for the stream, as its scan gives it.
 */
export const tapAppends: unique symbol = Symbol('custodian.tapAppends');

export interface TappingStore {
  /** Starts telling `tap` of every append written from now on; returns the function that stops it. */
  [tapAppends](tap: AppendTap): () => void;
}

export const canTap = (store: EventStore): store is EventStore & TappingStore => typeof (store as Partial<TappingStore>)[tapAppends] === 'function';

export interface ReadLogOptions {
  fromPosition?: number;
  maxCount?: number;
  /** Awaited after each batch of records: a reader that hands records on (to worker threads) waits there for them to keep up. */
  between?: () => Promise<void>;
  /** The visitor reads ids from `idSource` where it is set (a scanning store's records), and `id` only where it is not. */
  idsAsBytes?: boolean;
}

/** How many records a scan visits before the walk lets the event loop run. */
const BATCH = 8_192;

const canScan = (store: EventStore): store is EventStore & ScanningStore => typeof (store as Partial<ScanningStore>)[scanRecords] === 'function';

/**
 * Visits the log's records in global order, as views where the store can scan and as the
 * records `readAll` gives otherwise (the visitor sees both alike: positions and revisions as
 * numbers, exact below 2^53). Between batches the event loop runs, so a walk over millions
 * of records does not stall the service it runs in.
 */
export async function readLog(store: EventStore, options: ReadLogOptions, visit: (record: ScannedRecord) => void): Promise<void> {
  let left = options.maxCount ?? Number.POSITIVE_INFINITY;
  if (!canScan(store)) {
    const record: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', data: new Uint8Array(0), streamNumber: -1 };
    const read = store.readAll({
      ...(options.fromPosition !== undefined && { fromPosition: BigInt(options.fromPosition) }),
      ...(Number.isFinite(left) && { maxCount: left }),
    });
    let visited = 0;
    for await (const recorded of read) {
      record.stream = recorded.stream;
      record.revision = Number(recorded.revision);
      record.position = Number(recorded.position);
      record.id = recorded.id;
      record.data = recorded.data;
      visit(record);
      if (options.between && ++visited % BATCH === 0) await options.between();
    }
    return;
  }
  let from: number | undefined = options.fromPosition ?? 0;
  while (from !== undefined && left > 0) {
    const batch = Math.min(BATCH, left);
    let visited = 0;
    from = store[scanRecords](
      from,
      batch,
      (record) => {
        visited++;
        visit(record);
      },
      options.idsAsBytes === true,
    );
    left -= visited;
    if (from !== undefined && left > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await options.between?.();
  }
}
