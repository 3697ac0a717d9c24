import { streamMetadataOf, metadataStreamOf, type StreamMetadata } from './stream-metadata';

/** What an append, delete or tombstone expects of the stream, as the wire protocol says it. */
export type Expected = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'exists' } | { kind: 'revision'; revision: bigint };

export interface Proposed {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export interface LogRecord extends Proposed {
  stream: string;
  revision: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends them. */
  created: bigint;
  /** The record's byte offset in the log: commit and prepare position alike. */
  position: bigint;
}

export type WriteOutcome =
  { ok: true; revision: bigint; position: bigint } | { ok: false; reason: 'wrong-expected-version'; current: bigint | undefined } | { ok: false; reason: 'stream-deleted' };

/** The revision a tombstone takes, as EventStoreDB writes it (long.MaxValue). */
export const TOMBSTONE_REVISION = (1n << 63n) - 1n;

// A real log starts with its own records (epoch, system streams), so the first event a
// client writes is never at position 0; neither is it here.
const FIRST_POSITION = 4096n;
const RECORD_OVERHEAD = 88;

interface StreamState {
  records: LogRecord[];
  tombstoned: boolean;
}

/**
 * The test server's storage: one append-only log in global order, and an index of it by
 * stream. It decides expected revisions, idempotent retries, soft deletes (through `$tb`
 * in the stream's metadata), `$maxCount`, and tombstones, the way EventStoreDB does.
 */
export class EventLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly listeners = new Set<() => void>();
  private nextPosition = FIRST_POSITION;

  append(stream: string, expected: Expected, events: readonly Proposed[]): WriteOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { ok: false, reason: 'stream-deleted' };
    const current = lastRevision(state);
    const softDeleted = this.isSoftDeleted(stream, current);
    const repeat = this.idempotentRepeat(state, expected, events);
    if (repeat) return repeat;
    const accepted =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && (current === undefined || softDeleted)) ||
      (expected.kind === 'exists' && current !== undefined && !softDeleted) ||
      (expected.kind === 'revision' && expected.revision === current);
    if (!accepted) return { ok: false, reason: 'wrong-expected-version', current: softDeleted ? undefined : current };
    if (events.length === 0) return { ok: true, revision: current ?? -1n, position: this.nextPosition };
    const target = state ?? this.createStream(stream);
    let last: LogRecord | undefined;
    for (const event of events) last = this.write(stream, target, BigInt(target.records.length), event);
    this.notify();
    return { ok: true, revision: (last as LogRecord).revision, position: (last as LogRecord).position };
  }

  /** Soft delete: writes `$tb` past the last event to the metadata stream, as EventStoreDB does. */
  softDelete(stream: string, expected: Expected): WriteOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { ok: false, reason: 'stream-deleted' };
    const current = lastRevision(state);
    const mismatch = checkDelete(expected, current);
    if (mismatch) return mismatch;
    const metadata = { ...this.metadataOf(stream), $tb: Number((current ?? -1n) + 1n) };
    return this.append(metadataStreamOf(stream), { kind: 'any' }, [jsonEvent('$metadata', metadata)]);
  }

  tombstone(stream: string, expected: Expected): WriteOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { ok: false, reason: 'stream-deleted' };
    const current = lastRevision(state);
    const mismatch = checkDelete(expected, current);
    if (mismatch) return mismatch;
    const target = state ?? this.createStream(stream);
    const record = this.write(stream, target, TOMBSTONE_REVISION, jsonEvent('$streamDeleted', {}));
    target.tombstoned = true;
    this.notify();
    return { ok: true, revision: record.revision, position: record.position };
  }

  /**
   * The events a read of the stream may see: none before `$tb` (soft delete) or before the
   * last `$maxCount`. Undefined if the stream does not exist or all of it is deleted.
   */
  visibleRecords(stream: string): { kind: 'records'; records: readonly LogRecord[] } | { kind: 'not-found' } | { kind: 'deleted' } {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { kind: 'deleted' };
    const current = lastRevision(state);
    if (!state || current === undefined) return { kind: 'not-found' };
    const metadata = this.metadataOf(stream);
    let first = BigInt(metadata.$tb ?? 0);
    if (metadata.$maxCount !== undefined) first = maxOf(first, current - BigInt(metadata.$maxCount) + 1n);
    if (first > current) return { kind: 'not-found' };
    return { kind: 'records', records: first <= 0n ? state.records : state.records.slice(Number(first)) };
  }

  /** The index in `records` of the first record at or after a position. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.records[middle] as LogRecord).position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Calls `listener` after every write; returns the function that stops it. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private metadataOf(stream: string): StreamMetadata {
    const records = this.streams.get(metadataStreamOf(stream))?.records;
    const last = records?.[records.length - 1];
    return last ? streamMetadataOf(last.data) : {};
  }

  private isSoftDeleted(stream: string, current: bigint | undefined): boolean {
    const tb = this.metadataOf(stream).$tb;
    return current !== undefined && tb !== undefined && BigInt(tb) > current;
  }

  /**
   * A retried append whose events are already in the stream, in order, right where the
   * expected revision put them (or anywhere, for 'any' and 'exists'): EventStoreDB
   * answers with the original result and writes nothing.
   */
  private idempotentRepeat(state: StreamState | undefined, expected: Expected, events: readonly Proposed[]): WriteOutcome | undefined {
    const first = events[0];
    if (!state || !first) return undefined;
    let start: number;
    if (expected.kind === 'revision' || expected.kind === 'no_stream') {
      start = expected.kind === 'revision' ? Number(expected.revision) + 1 : 0;
      if (state.records[start]?.id !== first.id) return undefined;
    } else {
      start = state.records.findIndex((record) => record.id === first.id);
      if (start < 0) return undefined;
    }
    const matches = events.every((event, i) => state.records[start + i]?.id === event.id);
    if (!matches) return { ok: false, reason: 'wrong-expected-version', current: lastRevision(state) };
    const last = state.records[start + events.length - 1] as LogRecord;
    return { ok: true, revision: last.revision, position: last.position };
  }

  private createStream(stream: string): StreamState {
    const state: StreamState = { records: [], tombstoned: false };
    this.streams.set(stream, state);
    return state;
  }

  private write(stream: string, state: StreamState, revision: bigint, event: Proposed): LogRecord {
    const record: LogRecord = { ...event, stream, revision, created: BigInt(Date.now()) * 10_000n, position: this.nextPosition };
    this.nextPosition += BigInt(RECORD_OVERHEAD + Buffer.byteLength(stream) + Buffer.byteLength(event.type) + event.data.byteLength + event.customMetadata.byteLength);
    state.records.push(record);
    this.records.push(record);
    return record;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

function lastRevision(state: StreamState | undefined): bigint | undefined {
  const last = state?.records[state.records.length - 1];
  return last?.revision;
}

function checkDelete(expected: Expected, current: bigint | undefined): WriteOutcome | undefined {
  const accepted =
    expected.kind === 'any' ||
    (expected.kind === 'no_stream' && current === undefined) ||
    (expected.kind === 'exists' && current !== undefined) ||
    (expected.kind === 'revision' && expected.revision === current);
  return accepted ? undefined : { ok: false, reason: 'wrong-expected-version', current };
}

function jsonEvent(type: string, body: unknown): Proposed {
  return { id: globalThis.crypto.randomUUID(), type, contentType: 'application/json', data: Buffer.from(JSON.stringify(body)), customMetadata: new Uint8Array() };
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
