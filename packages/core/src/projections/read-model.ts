import type { CustodianEvent } from '../events';

/**
 * A read model as a pure fold of Custodian's events, kept per key (a subject, a
 * recipient). `evolve` never changes the state it is given; the keys an event touches
 * come from `keysOf`. The read side folds these on demand, one stream at a time; run
 * over the whole log by the projection runner, one is a `Projection` (see `perKey`).
 */
export interface ReadModel<S> {
  readonly name: string;
  initial(key: string): S;
  keysOf(event: CustodianEvent): readonly string[];
  evolve(state: S, event: CustodianEvent): S;
}

/** Folds events into every key's state; the caller's map is the only thing mutated. */
export function foldProjection<S>(model: ReadModel<S>, events: Iterable<CustodianEvent>, into = new Map<string, S>()): Map<string, S> {
  for (const event of events) applyToProjection(model, into, event);
  return into;
}

export function applyToProjection<S>(model: ReadModel<S>, states: Map<string, S>, event: CustodianEvent): void {
  for (const key of model.keysOf(event)) states.set(key, model.evolve(states.get(key) ?? model.initial(key), event));
}

export const bySubject = (event: CustodianEvent): readonly string[] => (event.subjectId === undefined ? [] : [event.subjectId]);
