import { randomUUID } from 'node:crypto';
import { StreamNotFoundError, WrongExpectedRevisionError, type EventStore, type RecordedEvent } from '@custodian/core';
import { validateReadAllOptions } from '@custodian/core/store-kit';

/*
 * The ledger suites were written for stores that start empty for every test: they read
 * all of $all and expect to find only their own events. An EventStoreDB is one log that
 * keeps everything, so each test gets a view of it: its streams carry a prefix of their
 * own, and readAll and subscriptions show only those. Everything else (revisions,
 * positions, errors, atomicity) is the adapter's, unchanged.
 */
export function namespaced(store: EventStore): EventStore {
  const prefix = `t${randomUUID().replace(/-/g, '')}.`;
  const inside = (stream: string) => `${prefix}${stream}`;
  const mine = (event: RecordedEvent) => event.stream.startsWith(prefix);
  const outside = (event: RecordedEvent): RecordedEvent => ({ ...event, stream: event.stream.slice(prefix.length) });
  const renamed = (error: unknown, stream: string): unknown => {
    if (error instanceof WrongExpectedRevisionError) return new WrongExpectedRevisionError(stream, error.expected, error.actual);
    if (error instanceof StreamNotFoundError) return new StreamNotFoundError(stream);
    return error;
  };
  const subscribeToAll = store.subscribeToAll?.bind(store);

  return {
    async append(stream, events, expected) {
      try {
        return await store.append(inside(stream), events, expected);
      } catch (error) {
        throw renamed(error, stream);
      }
    },
    async *readStream(stream, options) {
      try {
        for await (const event of store.readStream(inside(stream), options)) yield outside(event);
      } catch (error) {
        throw renamed(error, stream);
      }
    },
    async *readAll(options = {}) {
      // The inner store sees no maxCount (it would count other tests' events): check it here, as it would.
      validateReadAllOptions(options);
      let left = options.maxCount ?? Number.POSITIVE_INFINITY;
      for await (const event of store.readAll(options.fromPosition === undefined ? {} : { fromPosition: options.fromPosition })) {
        if (!mine(event)) continue;
        yield outside(event);
        if (--left === 0) return;
      }
    },
    ...(subscribeToAll && {
      subscribeToAll: (options, handler) => subscribeToAll(options, async (event) => (mine(event) ? handler(outside(event)) : undefined)),
    }),
    close: () => store.close(),
  };
}
