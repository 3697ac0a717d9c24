/**
 * How every store answers bad input, alike (the validators in `validation.ts` are shared):
 * - `append` rejects a malformed stream, event or expected revision with a `ValidationError`
 *   naming the field, before anything else and never as a conflict; nothing is appended.
 * - `readStream` and `readAll` are lazy: a malformed stream name or option is a
 *   `ValidationError` naming it (`fromRevision`, `fromPosition`, `direction`, `maxCount`),
 *   thrown when the iterable is iterated, never at the call, like every other read error.
 *   It comes before `StreamNotFoundError`: a bad read of a missing stream is a bad read.
 * - `subscribeToAll` throws its `ValidationError` (`fromPosition`, `handler`) at the call,
 *   as it throws `StoreClosedError`.
 * Revisions and positions are bigints from 0n to 2^63 - 1; a `maxCount` is a whole number
 * of at least 1 (leave it out for no limit).
 */

/**
 * The revision a stream must be at for an append to succeed: `'no_stream'` (it must not
 * exist), `'exists'`, `'any'`, or the revision of its last event (the first event is 0n).
 * Anything else (a number, `null`, `'0'`, `-1n`) is a `ValidationError` naming `expected`.
 */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/** What a store is given: the id is fixed by the caller, so a retried append can be recognised. */
export interface EventToAppend {
  id: string;
  type: string;
  /** The serialised event, stored byte for byte: exactly the view's bytes, copied at the append. */
  data: Uint8Array;
}

/** A record read is the caller's own: changing its bytes never changes what is stored. */
export interface RecordedEvent {
  stream: string;
  /** 0n for the first event of the stream. */
  revision: bigint;
  /** Global order across all streams: strictly increasing, not necessarily contiguous. */
  position: bigint;
  id: string;
  type: string;
  data: Uint8Array;
}

export interface AppendResult {
  /** The revision of the last event appended: pass it as the next expected revision. */
  nextRevision: bigint;
  /** The global position of the last event appended. */
  position: bigint;
}

export interface ReadStreamOptions {
  /** Where to start, inclusive; defaults to the start (forwards) or the end (backwards). */
  fromRevision?: bigint;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive: the event at this position, if any, is the first read. */
  fromPosition?: bigint;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive, like a checkpoint: delivery resumes with the first event after it. Absent: from the start. */
  fromPosition?: bigint;
}

export interface Subscription {
  /** Stops delivery: a handler call under way finishes before it resolves, and none starts after. */
  close(): Promise<void>;
  /**
   * Settles when the subscription ends: resolves on `close()`; rejects if a handler failed,
   * or the store did (a read failed, or the store was closed under it: `StoreClosedError`).
   */
  readonly done: Promise<void>;
}

/** Where one event is stored. */
export interface EventLocation {
  stream: string;
  revision: bigint;
  position: bigint;
}

export interface EventStore {
  /** Appends atomically: all the events land or none do. Throws `WrongExpectedRevisionError`. */
  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Throws `StreamNotFoundError` (when iterated) if the stream has no events. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** Every event of every stream, in global order. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * Catches up from `fromPosition`, then delivers live appends, in global order with no
   * gap and no duplicate. The handler is awaited before the next event is delivered.
   */
  subscribeToAll?(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription;
  /**
   * Set by a store whose positions run from this one up, each one more than the last, with
   * no gap ever (SQLite's rowids): a missing position is then a deleted record, which
   * verify reports even without a checkpoint. Absent where positions may skip (EventStoreDB).
   */
  readonly positionsGapFreeFrom?: bigint;
  /**
   * Where the event with this id is stored, or undefined when no event has it, found
   * without reading the log (an index). Optional: `locateEvent` scans `readAll` for a
   * store without it.
   */
  locate?(eventId: string): Promise<EventLocation | undefined>;
  close(): Promise<void>;
}

/** A stored record's exact bytes, for tests that tamper with or scan what is stored. */
export interface RawRecord {
  stream: string;
  revision: bigint;
  bytes: Uint8Array;
}
