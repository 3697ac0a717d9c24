/**
 * The revision a stream must be at for an append to succeed: `'no_stream'` (it must not
 * exist), `'exists'`, `'any'`, or the revision of its last event (the first event is 0n).
 */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/** What a store is given: the id is fixed by the caller, so a retried append can be recognised. */
export interface EventToAppend {
  id: string;
  type: string;
  /** The serialised event, stored byte for byte. */
  data: Uint8Array;
}

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
  /** Stops delivery; resolves once no handler call is running. */
  close(): Promise<void>;
  /** Settles when the subscription ends: resolves on `close()`, rejects if a handler or the store failed. */
  readonly done: Promise<void>;
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
  close(): Promise<void>;
}

/** A stored record's exact bytes, for tests that tamper with or scan what is stored. */
export interface RawRecord {
  stream: string;
  revision: bigint;
  bytes: Uint8Array;
}
