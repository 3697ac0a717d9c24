import { ValidationError } from '../errors';
import { StoreClosedError, StreamNotFoundError, checkExpectedRevision } from './errors';
import type {
  AppendResult,
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
import { subscriptionLoop } from './subscription-loop';

const CHUNK_BITS = 22;
const CHUNK_SIZE = 1 << CHUNK_BITS; // 4 MiB
const INITIAL_RECORDS = 1024;

interface StreamEntry {
  readonly name: string;
  readonly index: number;
  /** Global record numbers, one per revision. */
  readonly records: number[];
}

/**
 * An EventStore in memory, for tests, examples and benchmarks.
 *
 * Each record is kept serialised: its id and bytes are packed into 4 MiB chunks and
 * indexed by typed arrays, so an append costs the same whatever is already stored (no
 * scan of other streams) and a small event costs little more than its own bytes.
 * A record's global position is its record number.
 */
export class InMemoryEventStore implements EventStore {
  private chunks: Buffer[] = [Buffer.allocUnsafe(CHUNK_SIZE)];
  private chunkUsed = 0;
  private count = 0;
  private location = new Float64Array(INITIAL_RECORDS);
  private idLength = new Uint8Array(INITIAL_RECORDS);
  private dataLength = new Uint32Array(INITIAL_RECORDS);
  private streamOf = new Uint32Array(INITIAL_RECORDS);
  private revisionOf = new Uint32Array(INITIAL_RECORDS);
  private typeOf = new Uint16Array(INITIAL_RECORDS);
  private readonly streams = new Map<string, StreamEntry>();
  private readonly streamList: StreamEntry[] = [];
  private readonly types: string[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly wakers = new Set<() => void>();
  private closed = false;

  async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(stream, events);
    const entry = this.streams.get(stream);
    checkExpectedRevision(stream, expected, entry ? BigInt(entry.records.length - 1) : 'no_stream');
    const target = entry ?? this.createStream(stream);
    for (const event of events) this.write(target, event);
    for (const wake of this.wakers) wake();
    return { nextRevision: BigInt(target.records.length - 1), position: BigInt(this.count - 1) };
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const entry = this.streams.get(stream);
    if (!entry) throw new StreamNotFoundError(stream);
    const records = entry.records.slice();
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    let revision = options.fromRevision === undefined ? (backwards ? records.length - 1 : 0) : Number(options.fromRevision);
    if (backwards) revision = Math.min(revision, records.length - 1);
    for (let n = 0; n < limit && revision >= 0 && revision < records.length; n++) {
      yield this.recordAt(records[revision] as number);
      revision += backwards ? -1 : 1;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const end = this.count;
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    let record = options.fromPosition === undefined ? 0 : Math.max(0, Number(options.fromPosition));
    for (let n = 0; n < limit && record < end; n++, record++) yield this.recordAt(record);
  }

  subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription {
    this.assertOpen();
    let next = options.fromPosition === undefined ? 0 : Number(options.fromPosition) + 1;
    return subscriptionLoop(this.wakers, () => this.closed, async () => {
      if (next >= this.count) return false;
      await handler(this.recordAt(next++));
      return true;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  /** Every stored record, in global order, as the exact bytes kept (copies). */
  rawRecords(): RawRecord[] {
    const out: RawRecord[] = [];
    for (let record = 0; record < this.count; record++) {
      out.push({
        stream: (this.streamList[this.streamOf[record] as number] as StreamEntry).name,
        revision: BigInt(this.revisionOf[record] as number),
        bytes: Buffer.from(this.dataOf(record)),
      });
    }
    return out;
  }

  /** Replaces the bytes of one stored record, as an attacker with access to the storage could. For tests. */
  overwriteRaw(stream: string, revision: bigint, bytes: Uint8Array): void {
    const record = this.streams.get(stream)?.records[Number(revision)];
    if (record === undefined) throw new StreamNotFoundError(`${stream}@${revision}`);
    const idLength = this.idLength[record] as number;
    const id = Buffer.from(this.chunkSlice(record, 0, idLength));
    this.place(record, id, bytes);
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
    this.place(record, Buffer.from(event.id, 'utf8'), event.data);
    stream.records.push(record);
  }

  private place(record: number, id: Buffer, data: Uint8Array): void {
    const size = id.length + data.byteLength;
    let chunk = this.chunks.length - 1;
    if (size > CHUNK_SIZE - this.chunkUsed) {
      this.chunks.push(Buffer.allocUnsafe(Math.max(CHUNK_SIZE, size)));
      chunk++;
      this.chunkUsed = 0;
    }
    const target = this.chunks[chunk] as Buffer;
    id.copy(target, this.chunkUsed);
    target.set(data, this.chunkUsed + id.length);
    this.location[record] = chunk * CHUNK_SIZE + this.chunkUsed;
    this.idLength[record] = id.length;
    this.dataLength[record] = data.byteLength;
    this.chunkUsed += size;
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
    const idLength = this.idLength[record] as number;
    return {
      stream: (this.streamList[this.streamOf[record] as number] as StreamEntry).name,
      revision: BigInt(this.revisionOf[record] as number),
      position: BigInt(record),
      id: this.chunkSlice(record, 0, idLength).toString('utf8'),
      type: this.types[this.typeOf[record] as number] as string,
      data: this.dataOf(record),
    };
  }

  private internType(type: string): number {
    let index = this.typeIndex.get(type);
    if (index === undefined) {
      index = this.types.push(type) - 1;
      this.typeIndex.set(type, index);
    }
    return index;
  }

  private grow(): void {
    const size = this.location.length * 2;
    this.location = resize(this.location, new Float64Array(size));
    this.idLength = resize(this.idLength, new Uint8Array(size));
    this.dataLength = resize(this.dataLength, new Uint32Array(size));
    this.streamOf = resize(this.streamOf, new Uint32Array(size));
    this.revisionOf = resize(this.revisionOf, new Uint32Array(size));
    this.typeOf = resize(this.typeOf, new Uint16Array(size));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

function resize<T extends { set(array: ArrayLike<number>): void }>(from: ArrayLike<number>, to: T): T {
  to.set(from);
  return to;
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
