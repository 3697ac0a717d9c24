/*
 * What the adapter needs of a client, described by shape so that it never loads either
 * client package itself: a user installs one of them (both are optional peers), and
 * `EventStoreDBClient` (@eventstore/db-client 6.2) and `KurrentDBClient`
 * (@kurrent/kurrentdb-client 1.x) both fit these types as they are.
 */

export interface ClientPosition {
  commit: bigint;
  prepare: bigint;
}

/** An expected revision as the clients spell it. */
export type ClientExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface ClientRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  /** Bytes for the binary events this adapter writes. */
  data: unknown;
  metadata?: unknown;
  isJson: boolean;
  /** Absent (or at 2^64-1) from servers older than 22.6 on stream reads. */
  position?: ClientPosition;
}

export interface ClientResolvedEvent {
  event?: ClientRecordedEvent;
  link?: ClientRecordedEvent;
  commitPosition?: bigint;
}

export interface ClientEventData {
  id: string;
  contentType: 'application/octet-stream';
  type: string;
  data: Uint8Array;
  metadata: { custodianId: string } | undefined;
}

export interface ClientAppendResult {
  success: boolean;
  nextExpectedRevision: bigint;
  position?: ClientPosition;
}

/** A read: iterable, and cancellable when the reader stops early (db-client only). */
export type ClientRead = AsyncIterable<ClientResolvedEvent> & { cancel?(): Promise<void> };

export interface ClientSubscription extends AsyncIterable<ClientResolvedEvent> {
  unsubscribe(): Promise<void>;
}

export interface ClientEventTypeFilter {
  filterOn: 'eventType';
  regex: string;
  checkpointInterval: number;
}

interface ClientBase {
  readStream(stream: string, options: { fromRevision?: 'start' | 'end' | bigint; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint }): ClientRead;
  readAll(options: { fromPosition?: 'start' | 'end' | ClientPosition; maxCount?: number | bigint }): ClientRead;
  subscribeToAll(options: { fromPosition?: 'start' | 'end' | ClientPosition; filter?: ClientEventTypeFilter }): ClientSubscription;
  setStreamMetadata(stream: string, metadata: { maxCount?: number }): Promise<unknown>;
  dispose(): Promise<void>;
}

/** @eventstore/db-client 6.2: the expected revision is `expectedRevision`. */
export interface EventStoreDBClientLike extends ClientBase {
  appendToStream(stream: string, events: ClientEventData[], options: { expectedRevision: ClientExpectedRevision }): Promise<ClientAppendResult>;
}

/** @kurrent/kurrentdb-client 1.x: the expected revision is `streamState`. */
export interface KurrentDBClientLike extends ClientBase {
  appendToStream(stream: string, events: ClientEventData[], options: { streamState: ClientExpectedRevision }): Promise<ClientAppendResult>;
  multiStreamAppend(...args: never[]): Promise<unknown>;
}

export type SupportedClient = EventStoreDBClientLike | KurrentDBClientLike;

/** KurrentDB's client is told apart by a method EventStoreDB's never had. */
export function isKurrentDBClient(client: SupportedClient): client is KurrentDBClientLike {
  return typeof (client as Partial<KurrentDBClientLike>).multiStreamAppend === 'function';
}
