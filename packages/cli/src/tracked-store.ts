import type { EventStore, RecordedEvent } from '@custodian/core';

/**
 * The same store, with every record read through `readAll` reported to `onRecord`: how a
 * replay that goes through core (violations, stats) drives a progress bar and the CLI's
 * own counts in the same single pass.
 */
export function tracked(store: EventStore, onRecord: (record: RecordedEvent, count: number) => void): EventStore {
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream, options) => store.readStream(stream, options),
    async *readAll(options) {
      let count = 0;
      for await (const record of store.readAll(options)) {
        onRecord(record, ++count);
        yield record;
      }
    },
    close: () => store.close(),
    ...(store.positionsGapFreeFrom !== undefined && { positionsGapFreeFrom: store.positionsGapFreeFrom }),
  };
}
