import type { RecordedEvent } from '../store';

/**
 * The one projection contract: a fold of the whole log, in global order, run and
 * checkpointed by `createProjectionRunner`. Where the state and its checkpoint live is the
 * `CheckpointStore`'s business (a stream, a row, SQL tables), not the projection's.
 */
export interface Projection<S> {
  /** Names the checkpoint: two runners of the same name share (and contend for) one. */
  readonly name: string;
  /** The state before the first event; called afresh for each start or rebuild. */
  initial(): S;
  /**
   * The next state. Pure: it never changes the state it is given, so a batch that fails
   * is dropped with everything it produced and the runner's state stays the checkpoint's.
   */
  evolve(state: S, record: RecordedEvent): S;
  /** How a checkpoint store that keeps the state as text writes it; JSON by default. */
  encode?(state: S): string;
  decode?(text: string): S;
}

export function encodeState<S>(projection: Projection<S>, state: S): string {
  return projection.encode ? projection.encode(state) : JSON.stringify(state);
}

export function decodeState<S>(projection: Projection<S>, text: string): S {
  return projection.decode ? projection.decode(text) : (JSON.parse(text) as S);
}
