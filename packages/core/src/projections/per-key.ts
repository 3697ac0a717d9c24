import { events } from '../events';
import type { Projection } from './projection';
import { applyToProjection, type ReadModel } from './read-model';

/**
 * A read model run over the whole log: its state is every key's state. Each record is
 * decoded as one of Custodian's events (an unreadable one fails its batch); the map is
 * copied per event so that `evolve` stays pure, which suits modest key counts.
 */
export function perKey<S>(model: ReadModel<S>): Projection<ReadonlyMap<string, S>> {
  return {
    name: model.name,
    initial: () => new Map(),
    evolve(states, record) {
      const next = new Map(states);
      applyToProjection(model, next, events.decode(record.data));
      return next;
    },
    encode: (states) => JSON.stringify([...states]),
    decode: (text) => new Map(JSON.parse(text) as [string, S][]),
  };
}
