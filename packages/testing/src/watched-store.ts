import type { EventStore, ReadAllOptions } from '@custodian/core';

/** A store that remembers which streams were read, and fails any read outside the ones allowed. */
export interface WatchedStore extends EventStore {
  /** Every stream read through `readStream`, in order of first read. */
  readonly streamsRead: ReadonlySet<string>;
  /** The `readAll` calls made, each a bounded look-up (a wider one throws). */
  readonly readAllCalls: readonly ReadAllOptions[];
}

/**
 * Wraps a store for a test that proves a question costs one customer's events: reading
 * a stream outside `allowed` throws, and so does `readAll`, but for a look-up of at most
 * `maxReadAll` records (default none). Appends are refused: the reads under test write nothing.
 */
export function watchReads(store: EventStore, allowed: Iterable<string>, options: { maxReadAll?: number } = {}): WatchedStore {
  const permitted = new Set(allowed);
  const streamsRead = new Set<string>();
  const readAllCalls: ReadAllOptions[] = [];
  const maxReadAll = options.maxReadAll ?? 0;
  return {
    streamsRead,
    readAllCalls,
    append: (stream) => Promise.reject(new Error(`append to ${stream} during a read`)),
    readStream(stream, readOptions) {
      if (!permitted.has(stream)) throw new Error(`read stream ${stream}, which is not one of ${[...permitted].join(', ')}`);
      streamsRead.add(stream);
      return store.readStream(stream, readOptions);
    },
    readAll(readOptions = {}) {
      const bounded = readOptions.maxCount !== undefined && readOptions.maxCount <= maxReadAll && readOptions.fromPosition !== undefined;
      if (!bounded) throw new Error(`readAll(${JSON.stringify(readOptions, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}): the whole log`);
      readAllCalls.push(readOptions);
      return store.readAll(readOptions);
    },
    ...(store.locate !== undefined && { locate: store.locate.bind(store) }),
    ...(store.positionsGapFreeFrom !== undefined && { positionsGapFreeFrom: store.positionsGapFreeFrom }),
    close: () => store.close(),
  };
}
