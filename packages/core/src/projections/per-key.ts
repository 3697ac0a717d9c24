import { events } from '../events';
import { PersistentMap } from '../persistent';
import type { Projection } from './projection';
import type { ReadModel } from './read-model';

/**
 * A read model run over the whole log: its state is every key's state. Each record is
 * decoded as one of Custodian's events (an unreadable one fails its batch). The map is
 * persistent, so `evolve` stays pure at O(1) per key touched rather than a copy of every
 * key's state per event: the checkpoint and a failed batch's start keep their version.
 */
export function perKey<S>(model: ReadModel<S>): Projection<ReadonlyMap<string, S>> {
  return {
    name: model.name,
    initial: () => PersistentMap.of(),
    evolve(states, record) {
      const event = events.decode(record.data);
      let next = states instanceof PersistentMap ? (states as PersistentMap<string, S>) : PersistentMap.of(states);
      for (const key of model.keysOf(event)) next = next.set(key, model.evolve(next.get(key) ?? model.initial(key), event));
      return next;
    },
    encode: (states) => JSON.stringify([...states]),
    decode: (text) => PersistentMap.of(JSON.parse(text) as [string, S][]),
  };
}
