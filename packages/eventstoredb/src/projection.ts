import type { RecordedEvent } from '@custodian/core';

/** A fold over $all: the runner keeps its state, and its checkpoint, in EventStoreDB. */
export interface Projection<S> {
  /** Names the checkpoint: two runners of the same name share (and contend for) one. */
  readonly name: string;
  readonly initial: S;
  /** Pure: the next state. Called once per event, in global order. */
  evolve(state: S, event: RecordedEvent): S;
  /** How the state is written into the checkpoint; JSON by default. */
  encode?(state: S): string;
  decode?(text: string): S;
}

export function encodeState<S>(projection: Projection<S>, state: S): string {
  return projection.encode ? projection.encode(state) : JSON.stringify(state);
}

export function decodeState<S>(projection: Projection<S>, text: string): S {
  return projection.decode ? projection.decode(text) : (JSON.parse(text) as S);
}
