import type { EventStore } from '@custodian/core';

/** The store seen through one stream only: verifying it checks that stream's chain and nothing else. */
export function oneStream(store: EventStore, stream: string): EventStore {
  return {
    append: (name, events, expected) => store.append(name, events, expected),
    readStream: (name, options) => store.readStream(name, options),
    readAll: () => store.readStream(stream),
    close: () => store.close(),
  };
}
