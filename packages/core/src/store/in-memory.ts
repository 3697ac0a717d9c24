import { ValidationError } from '../errors';
import { StoreClosedError, StreamNotFoundError, checkExpectedRevision } from './errors';
import type {
  AppendResult,
  EventLocation,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RawRecord,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './port';
import { checkRepeatedIds } from './repeated-ids';
import { scanRecords, tapAppends, type AppendTap, type ScannedRecord, type ScanningStore, type TappingStore } from './scan';
import { subscriptionLoop } from './subscription-loop';
import { validateExpectedRevision, validateReadAllOptions, validateReadStreamOptions, validateSubscribeOptions } from './validation';

const CHUNK_BITS = 22;
const CHUNK_SIZE = 1 << CHUNK_BITS; // 4 MiB
const INITIAL_RECORDS = 1024;

interface StreamEntry {
  readonly name: string;
  readonly index: number;
  /** Global record numbers, one per revision. */
  readonly records: number[];
}

/** What a test may do to an in-memory store behind the port's back. */
interface RawAccess {
  records(store: InMemoryEventStore): RawRecord[];
  overwrite(store: InMemoryEventStore, stream: string, revision: bigint, bytes: Uint8Array): void;
  insert(store: InMemoryEventStore, stream: string, event: EventToAppend): void;
}

// Assigned by the class's static block, which alone may touch the store's private state.
let raw: RawAccess;

/**
 * An EventStore in memory, for tests, examples and benchmarks.
 *
 * Each record is kept serialised: its id and bytes are packed into 4 MiB chunks and
 * indexed by typed arrays, so an append costs the same whatever is already stored (no
 * scan of other streams) and a small event costs little more than its own bytes.
 * A record's global position is its record number. What it reads out is a copy: a
 * caller changing a record's bytes never reaches into the store's chunks.
 */
export class InMemoryEventStore implements EventStore, ScanningStore, TappingStore {
  /** A position is a record's index in the log: nothing ever removes one. */
  readonly positionsGapFreeFrom = 0n;
  private chunks: Buffer[] = [Buffer.allocUnsafe(CHUNK_SIZE)];
  private chunkUsed = 0;
  private count = 0;
  private location = new Float64Array(INITIAL_RECORDS);
  private idLength = new Uint8Array(INITIAL_RECORDS);
  private dataLength = new Uint32Array(INITIAL_RECORDS);
  private streamOf = new Uint32Array(INITIAL_RECORDS);
  private revisionOf = new Uint32Array(INITIAL_RECORDS);
  // 32 bits: a type index never wraps, however many distinct types are stored.
  private typeOf = new Uint32Array(INITIAL_RECORDS);
  /** A hash of each record's id, and an open-addressed table of record number + 1 by id hash (0: empty). */
  private idHash = new Uint32Array(INITIAL_RECORDS);
  private idSlots = new Int32Array(INITIAL_RECORDS * 2);
  private readonly streams = new Map<string, StreamEntry>();
  private readonly streamList: StreamEntry[] = [];
  private readonly types: string[] = [];
  private readonly typeIndex = new Map<string, number>();
  /** The type of the last event written, and its index: most appends repeat a recent type. */
  private lastType: string | undefined;
  private lastTypeIndex = 0;
  private readonly wakers = new Set<() => void>();
  private readonly taps = new Set<AppendTap>();
  private closed = false;

  async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    // The checks below accept only what validateAppend and checkExpectedRevision accept, without
    // allocating; anything they do not accept goes to those two, which throw the full errors.
    if (!isWellFormedAppend(stream, events)) validateAppend(stream, events);
    const entry = this.streams.get(stream);
    const actual = entry === undefined ? -1 : entry.records.length - 1;
    if (!matchesExpected(expected, actual)) validateExpectedRevision(expected);
    const retried = this.checkIds(stream, events, expected);
    if (retried) return retried;
    if (!matchesExpected(expected, actual)) checkExpectedRevision(stream, expected, entry === undefined ? 'no_stream' : BigInt(actual));
    const target = entry ?? this.createStream(stream);
    for (let i = 0; i < events.length; i++) this.write(target, events[i] as EventToAppend);
    if (this.taps.size > 0) this.tell(target, events);
    if (this.wakers.size > 0) for (const wake of this.wakers) wake();
    return { nextRevision: BigInt(target.records.length - 1), position: BigInt(this.count - 1) };
  }

  readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    return new Cursor(() => {
      this.assertOpen();
      validateReadStreamOptions(stream, options);
      const entry = this.streams.get(stream);
      if (!entry) throw new StreamNotFoundError(stream);
      const records = entry.records;
      const length = records.length; // what is there now: a stream only grows at its end
      const backwards = options.direction === 'backwards';
      const step = backwards ? -1 : 1;
      const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
      let revision = options.fromRevision === undefined ? (backwards ? length - 1 : 0) : Number(options.fromRevision);
      if (backwards) revision = Math.min(revision, length - 1);
      let n = 0;
      return () => {
        if (!(n < limit && revision >= 0 && revision < length)) return undefined;
        n++;
        const record = records[revision] as number;
        revision += step;
        return this.recordAt(record);
      };
    });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return new Cursor(() => {
      this.assertOpen();
      validateReadAllOptions(options);
      const end = this.count;
      const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
      let record = options.fromPosition === undefined ? 0 : Number(options.fromPosition);
      let n = 0;
      return () => {
        if (!(n < limit && record < end)) return undefined;
        n++;
        return this.recordAt(record++);
      };
    });
  }

  subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription {
    this.assertOpen();
    validateSubscribeOptions(options, handler);
    let next = options.fromPosition === undefined ? 0 : Number(options.fromPosition) + 1;
    return subscriptionLoop(
      this.wakers,
      () => this.closed,
      async () => {
        if (next >= this.count) return false;
        await handler(this.recordAt(next++));
        return true;
      },
    );
  }

  async locate(eventId: string): Promise<EventLocation | undefined> {
    this.assertOpen();
    const record = this.findId(eventId);
    if (record < 0) return undefined;
    const stream = (this.streamList[this.streamOf[record] as number] as StreamEntry).name;
    return { stream, revision: BigInt(this.revisionOf[record] as number), position: BigInt(record) };
  }

  /** See scan.ts: the records as views of the chunks, for core's walks over the whole log. */
  [scanRecords](from: number, maxCount: number, visit: (record: ScannedRecord) => void, idsAsBytes = false): number | undefined {
    this.assertOpen();
    const end = Math.min(this.count, from + maxCount);
    const view: ScannedRecord = { stream: '', revision: 0, position: 0, id: '', idSource: undefined, idStart: 0, idEnd: 0, data: new Uint8Array(0), streamNumber: -1 };
    for (let record = from; record < end; record++) {
      const location = this.location[record] as number;
      const chunk = this.chunks[Math.floor(location / CHUNK_SIZE)] as Buffer;
      const start = location % CHUNK_SIZE;
      const idEnd = start + (this.idLength[record] as number);
      view.streamNumber = this.streamOf[record] as number;
      view.stream = (this.streamList[view.streamNumber] as StreamEntry).name;
      view.revision = this.revisionOf[record] as number;
      view.position = record;
      if (idsAsBytes) {
        view.idSource = chunk;
        view.idStart = start;
        view.idEnd = idEnd;
      } else view.id = chunk.toString('utf8', start, idEnd);
      view.data = chunk.subarray(idEnd, idEnd + (this.dataLength[record] as number));
      visit(view);
    }
    return end < this.count ? end : undefined;
  }

  /** See scan.ts: positions here are record numbers, so what an append writes is the next positions in order. */
  [tapAppends](tap: AppendTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  private tell(stream: StreamEntry, events: readonly EventToAppend[]): void {
    const appended = { stream: stream.name, streamNumber: stream.index, position: this.count - events.length, revision: stream.records.length - events.length, events };
    for (const tap of this.taps) {
      // The events are written: a listener's failure must not turn that into a failed append.
      try {
        tap(appended);
      } catch {
        this.taps.delete(tap);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  // Raw access is no method of the store: a tamper-evident ledger ships no "overwrite". The
  // block below hands the store's internals to this module's raw* functions, which only the
  // package's testing entry point (`@custodian/core/testing`) exports.
  static {
    raw = {
      records(store) {
        const out: RawRecord[] = [];
        for (let record = 0; record < store.count; record++) {
          out.push({
            stream: (store.streamList[store.streamOf[record] as number] as StreamEntry).name,
            revision: BigInt(store.revisionOf[record] as number),
            bytes: Buffer.from(store.dataOf(record)),
          });
        }
        return out;
      },
      overwrite(store, stream, revision, bytes) {
        const record = store.streams.get(stream)?.records[Number(revision)];
        if (record === undefined) throw new StreamNotFoundError(`${stream}@${revision}`);
        store.place(record, store.idOf(record), bytes);
      },
      insert(store, stream, event) {
        store.write(store.streams.get(stream) ?? store.createStream(stream), event);
      },
    };
  }

  /** See checkRepeatedIds; the common case, every id new, costs a lookup per event and allocates nothing. */
  private checkIds(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult | undefined {
    let repeats = events.length > 16;
    for (let i = 0; i < events.length && !repeats; i++) {
      const id = (events[i] as EventToAppend).id;
      repeats = this.findId(id) >= 0;
      for (let j = 0; j < i && !repeats; j++) repeats = (events[j] as EventToAppend).id === id;
    }
    if (!repeats) return undefined;
    return checkRepeatedIds(stream, events, expected, (id) => {
      const record = this.findId(id);
      if (record < 0) return undefined;
      const { revision, position, type, data } = this.recordAt(record);
      return { stream: (this.streamList[this.streamOf[record] as number] as StreamEntry).name, revision, position, type, data };
    });
  }

  /** The record holding `id`, or -1. */
  private findId(id: string): number {
    const hash = hashId(id);
    const mask = this.idSlots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.idSlots[slot] as number;
      if (held === 0) return -1;
      const record = held - 1;
      if (this.idHash[record] === hash && this.idOf(record) === id) return record;
    }
  }

  private indexId(record: number, hash: number): void {
    const mask = this.idSlots.length - 1;
    let slot = hash & mask;
    while (this.idSlots[slot] !== 0) slot = (slot + 1) & mask;
    this.idSlots[slot] = record + 1;
  }

  private idOf(record: number): string {
    return this.chunkSlice(record, 0, this.idLength[record] as number).toString('utf8');
  }

  private createStream(name: string): StreamEntry {
    const entry: StreamEntry = { name, index: this.streamList.length, records: [] };
    this.streams.set(name, entry);
    this.streamList.push(entry);
    return entry;
  }

  private write(stream: StreamEntry, event: EventToAppend): void {
    if (this.count === this.location.length) this.grow();
    const record = this.count++;
    this.streamOf[record] = stream.index;
    this.revisionOf[record] = stream.records.length;
    this.typeOf[record] = this.internType(event.type);
    this.place(record, event.id, event.data);
    stream.records.push(record);
    const hash = hashId(event.id);
    this.idHash[record] = hash;
    if (this.count * 2 > this.idSlots.length) this.reindex();
    else this.indexId(record, hash);
  }

  /** Writes the id (UTF-8) then the data, contiguously, at the end of the last chunk or in a new one. */
  private place(record: number, id: string, data: Uint8Array): void {
    // At most 3 bytes per UTF-16 unit, so `room` always holds the record; usually it is exact enough.
    const room = id.length * 3 + data.byteLength;
    let chunk = this.chunks.length - 1;
    if (room > CHUNK_SIZE - this.chunkUsed) {
      this.chunks.push(Buffer.allocUnsafe(Math.max(CHUNK_SIZE, room)));
      chunk++;
      this.chunkUsed = 0;
    }
    const target = this.chunks[chunk] as Buffer;
    const start = this.chunkUsed;
    const idLength = target.write(id, start, 'utf8');
    target.set(data, start + idLength);
    this.location[record] = chunk * CHUNK_SIZE + start;
    this.idLength[record] = idLength;
    this.dataLength[record] = data.byteLength;
    this.chunkUsed = start + idLength + data.byteLength;
  }

  private chunkSlice(record: number, from: number, to: number): Buffer {
    const location = this.location[record] as number;
    const chunk = this.chunks[Math.floor(location / CHUNK_SIZE)] as Buffer;
    const offset = location % CHUNK_SIZE;
    return chunk.subarray(offset + from, offset + to);
  }

  private dataOf(record: number): Buffer {
    const idLength = this.idLength[record] as number;
    return this.chunkSlice(record, idLength, idLength + (this.dataLength[record] as number));
  }

  private recordAt(record: number): RecordedEvent {
    const location = this.location[record] as number;
    const chunk = this.chunks[Math.floor(location / CHUNK_SIZE)] as Buffer;
    const start = location % CHUNK_SIZE;
    const idEnd = start + (this.idLength[record] as number);
    return {
      stream: (this.streamList[this.streamOf[record] as number] as StreamEntry).name,
      revision: BigInt(this.revisionOf[record] as number),
      position: BigInt(record),
      id: chunk.toString('utf8', start, idEnd),
      type: this.types[this.typeOf[record] as number] as string,
      data: Buffer.from(chunk.subarray(idEnd, idEnd + (this.dataLength[record] as number))),
    };
  }

  private internType(type: string): number {
    if (type === this.lastType) return this.lastTypeIndex;
    let index = this.typeIndex.get(type);
    if (index === undefined) {
      index = this.types.push(type) - 1;
      this.typeIndex.set(type, index);
    }
    this.lastType = type;
    this.lastTypeIndex = index;
    return index;
  }

  private grow(): void {
    const size = this.location.length * 2;
    this.location = resize(this.location, new Float64Array(size));
    this.idLength = resize(this.idLength, new Uint8Array(size));
    this.dataLength = resize(this.dataLength, new Uint32Array(size));
    this.streamOf = resize(this.streamOf, new Uint32Array(size));
    this.revisionOf = resize(this.revisionOf, new Uint32Array(size));
    this.typeOf = resize(this.typeOf, new Uint32Array(size));
    this.idHash = resize(this.idHash, new Uint32Array(size));
  }

  /** Doubles the id table and puts every record back in it (amortised: once per doubling). */
  private reindex(): void {
    this.idSlots = new Int32Array(this.idSlots.length * 2);
    for (let record = 0; record < this.count; record++) this.indexId(record, this.idHash[record] as number);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

function inMemory(store: InMemoryEventStore): InMemoryEventStore {
  if (!(store instanceof InMemoryEventStore)) throw new TypeError('raw access needs an InMemoryEventStore');
  return store;
}

/** Every stored record, in global order, as the exact bytes kept (copies). For tests. */
export function rawRecords(store: InMemoryEventStore): RawRecord[] {
  return raw.records(inMemory(store));
}

/** Replaces the bytes of one stored record, as an attacker with access to the storage could. For tests. */
export function overwriteRaw(store: InMemoryEventStore, stream: string, revision: bigint, bytes: Uint8Array): void {
  raw.overwrite(inMemory(store), stream, revision, bytes);
}

/**
 * Adds a record at the end of a stream with no check at all (expected revision, id
 * uniqueness), as an attacker with access to the storage could. For tests.
 */
export function insertRaw(store: InMemoryEventStore, stream: string, event: EventToAppend): void {
  raw.insert(inMemory(store), stream, event);
}

/**
 * An async iterator over records, lighter than an async generator (one settled promise per
 * step, no generator machinery) and just as lazy: `open` runs on the first `next()`, so its
 * errors surface when the iterable is iterated. `open` returns a step that gives the next
 * record, or undefined at the end.
 */
class Cursor implements AsyncIterableIterator<RecordedEvent> {
  private step: (() => RecordedEvent | undefined) | undefined;
  private finished = false;

  constructor(private readonly open: () => () => RecordedEvent | undefined) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<RecordedEvent>> {
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    try {
      const value = (this.step ??= this.open())();
      if (value !== undefined) return Promise.resolve({ done: false, value });
      this.finished = true;
      return Promise.resolve({ done: true, value: undefined });
    } catch (error) {
      this.finished = true;
      return Promise.reject(error);
    }
  }

  return(): Promise<IteratorResult<RecordedEvent>> {
    this.finished = true;
    return Promise.resolve({ done: true, value: undefined });
  }
}

/** FNV-1a over the id's UTF-16 units, finalised so the low bits (the table's) spread. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

function resize<T extends { set(array: ArrayLike<number>): void }>(from: ArrayLike<number>, to: T): T {
  to.set(from);
  return to;
}

/**
 * True only for what validateAppend accepts (it may say false for some of those: they then go
 * through validateAppend, which accepts them). Allocation-free, for the hot path of append.
 */
function isWellFormedAppend(stream: string, events: readonly EventToAppend[]): boolean {
  if (typeof stream !== 'string' || stream.length === 0 || !Array.isArray(events) || events.length === 0) return false;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as EventToAppend | null | undefined;
    if (event === null || typeof event !== 'object') return false;
    const { id, type, data } = event;
    // Up to 85 UTF-16 units is at most 255 UTF-8 bytes; longer ids are measured by validateAppend.
    if (typeof id !== 'string' || id.length === 0 || id.length > 85) return false;
    if (typeof type !== 'string' || type.length === 0 || !(data instanceof Uint8Array)) return false;
  }
  return true;
}

/** True only if checkExpectedRevision would accept `expected` for a stream whose last revision is `actual` (-1: no stream). */
function matchesExpected(expected: ExpectedRevision, actual: number): boolean {
  if (typeof expected === 'bigint') return actual >= 0 && Number(expected) === actual; // exact: actual < 2^32
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual < 0;
  return expected === 'exists' && actual >= 0;
}

/** Checks what any store is asked to append; shared by every adapter so all refuse alike. */
export function validateAppend(stream: string, events: readonly EventToAppend[]): void {
  const issues: { path: string; message: string }[] = [];
  if (typeof stream !== 'string' || stream.length === 0) issues.push({ path: 'stream', message: 'must be a non-empty string' });
  if (!Array.isArray(events) || events.length === 0) issues.push({ path: 'events', message: 'must hold at least one event' });
  else
    events.forEach((event, i) => {
      if (typeof event?.id !== 'string' || event.id.length === 0 || Buffer.byteLength(event.id) > 255)
        issues.push({ path: `events.${i}.id`, message: 'must be a string of 1 to 255 bytes' });
      if (typeof event?.type !== 'string' || event.type.length === 0) issues.push({ path: `events.${i}.type`, message: 'must be a non-empty string' });
      if (!(event?.data instanceof Uint8Array)) issues.push({ path: `events.${i}.data`, message: 'must be a Uint8Array' });
    });
  if (issues.length > 0) throw new ValidationError('append', issues);
}
