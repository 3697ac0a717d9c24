import type { CustodianEvent } from '../events';

/**
 * A read model as a pure fold, kept per key (a subject, a recipient). `evolve` never
 * changes the state it is given; the keys an event touches come from `keysOf`.
 */
export interface Projection<S> {
  readonly name: string;
  initial(key: string): S;
  keysOf(event: CustodianEvent): readonly string[];
  evolve(state: S, event: CustodianEvent): S;
}

/** Folds events into every key's state; the runner is the only place that mutates (its map). */
export function foldProjection<S>(projection: Projection<S>, events: Iterable<CustodianEvent>, into = new Map<string, S>()): Map<string, S> {
  for (const event of events) applyToProjection(projection, into, event);
  return into;
}

export function applyToProjection<S>(projection: Projection<S>, states: Map<string, S>, event: CustodianEvent): void {
  for (const key of projection.keysOf(event)) states.set(key, projection.evolve(states.get(key) ?? projection.initial(key), event));
}

export const bySubject = (event: CustodianEvent): readonly string[] => (event.subjectId === undefined ? [] : [event.subjectId]);
