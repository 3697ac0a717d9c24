import {
  StoreClosedError,
  WrongExpectedRevisionError,
  type ActualRevision,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@custodian/core';
import { validateAppend, validateExpectedRevision, validateReadAllOptions, validateReadStreamOptions, validateSubscribeOptions } from '@custodian/core/store-kit';
import { isKurrentDBClient, type ClientAppendResult, type ClientEventData, type ClientExpectedRevision, type SupportedClient } from './client';
import { toPortError } from './errors';
import { toClientEvent } from './event-ids';
import { toClientExpectedRevision } from './expected-revision';
import { readAllEvents, readStreamEvents } from './reads';
import { withRetry, type RetryPolicy } from './retry';
import { followAll, type FollowedSubscription, type ResubscribePolicy } from './subscription';

export interface EventStoreDBStoreOptions {
  /** Retries of an append after a transient failure (a dropped connection, a lost leader). */
  retry?: RetryPolicy;
  /** Subscribing again after a subscription's connection drops. */
  resubscribe?: ResubscribePolicy;
  /** Dispose of the client when the store closes (default true). */
  closeClient?: boolean;
}

/** An EventStore kept in EventStoreDB or KurrentDB. */
export interface EventStoreDBStore extends EventStore {
  subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription;
  /** Keeps only the last `maxCount` events of a stream readable (EventStoreDB's `$maxCount`). */
  setStreamMaxCount(stream: string, maxCount: number): Promise<void>;
}

/**
 * The EventStore port on an `EventStoreDBClient` (@eventstore/db-client 6.2) or a
 * `KurrentDBClient` (@kurrent/kurrentdb-client 1.x).
 *
 * Events are stored as binary (`application/octet-stream`), byte for byte. An append
 * that fails for a transient reason is sent again with the same event ids, which
 * EventStoreDB recognises, so a retry never writes twice. `$`-prefixed event types and
 * streams (the server's own records) are left out of `readAll` and `subscribeToAll`.
 * Positions are commit positions.
 */
export function createEventStoreDBStore(client: SupportedClient, options: EventStoreDBStoreOptions = {}): EventStoreDBStore {
  const retry = options.retry ?? {};
  const subscriptions = new Set<FollowedSubscription>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new StoreClosedError();
  };

  const appendOnce = (stream: string, events: ClientEventData[], expected: ClientExpectedRevision): Promise<ClientAppendResult> =>
    isKurrentDBClient(client) ? client.appendToStream(stream, events, { streamState: expected }) : client.appendToStream(stream, events, { expectedRevision: expected });

  async function currentRevision(stream: string): Promise<ActualRevision> {
    try {
      for await (const event of readStreamEvents(client, stream, { direction: 'backwards', maxCount: 1 }, () => undefined)) return event.revision;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'STREAM_NOT_FOUND') throw error;
    }
    return 'no_stream';
  }

  return {
    async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
      assertOpen();
      validateAppend(stream, events);
      validateExpectedRevision(expected);
      // Built once, before the first try: every retry carries the very same event ids.
      const clientEvents = events.map((event) => toClientEvent(event.id, event.type, event.data));
      const clientExpected = toClientExpectedRevision(expected);
      let result: ClientAppendResult;
      try {
        result = await withRetry(
          () => appendOnce(stream, clientEvents, clientExpected),
          retry,
          () => closed,
        );
      } catch (error) {
        throw toPortError(error, stream, expected);
      }
      // A client made with throwOnAppendFailure: false reports a conflict instead of throwing.
      if (!result.success) throw new WrongExpectedRevisionError(stream, expected, await currentRevision(stream));
      if (!result.position) throw new Error(`the server did not report the position of the append to ${stream}`);
      return { nextRevision: result.nextExpectedRevision, position: result.position.commit };
    },

    readStream: (stream, readOptions = {}) =>
      readStreamEvents(client, stream, readOptions, () => {
        assertOpen();
        validateReadStreamOptions(stream, readOptions);
      }),

    readAll: (readOptions = {}) =>
      readAllEvents(client, readOptions, () => {
        assertOpen();
        validateReadAllOptions(readOptions);
      }),

    subscribeToAll(subscribeOptions, handler) {
      assertOpen();
      validateSubscribeOptions(subscribeOptions, handler);
      const subscription = followAll(client, subscribeOptions, handler, options.resubscribe);
      subscriptions.add(subscription);
      const forget = () => subscriptions.delete(subscription);
      subscription.done.then(forget, forget);
      return subscription;
    },

    async setStreamMaxCount(stream, maxCount) {
      assertOpen();
      await withRetry(
        () => client.setStreamMetadata(stream, { maxCount }),
        retry,
        () => closed,
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      // Cut off, not closed by their owners: their `done` rejects, as on every store.
      await Promise.all([...subscriptions].map((subscription) => subscription.cutOff(new StoreClosedError())));
      if (options.closeClient ?? true) await client.dispose();
    },
  };
}
