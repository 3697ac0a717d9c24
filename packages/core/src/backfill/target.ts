import type { SubjectState } from '../decider';
import type { Policy } from '../policy';
import type { EventStore } from '../store';

/** A customer's stream as it stands, read and checked: for a customer whose stream already exists. */
export interface LoadedSubject {
  readonly state: SubjectState;
  readonly revision: bigint | 'no_stream';
  readonly lastHash: string;
  /** Whether the stream holds an event with this id. */
  holds(eventId: string): boolean;
}

/**
 * What an import writes through: the ledger's store, policy, clock and keys. The ledger
 * builds it (`ledger.backfill`), so an import seals values exactly as
 * `collect` does and is judged by the policy the ledger records.
 */
export interface BackfillTarget {
  readonly store: EventStore;
  readonly policy: Policy;
  /** The ledger's clock, checked: `recordedAt` of every backfilled event. */
  readonly clock: () => Date;
  /** Records the ledger's policy before the first customer lands, unless the log's latest is the same. */
  recordPolicy(): Promise<unknown>;
  /** Each value sealed under its category's key of the generation `state` gives it, as `collect` seals it. */
  seal(
    subjectId: string,
    values: Readonly<Record<string, string>>,
    state: Pick<SubjectState, 'keyGenerations'>,
  ): Promise<{ values: Record<string, string>; sealedWith: Record<string, number> }>;
  sealText(subjectId: string, field: string, text: string | undefined): Promise<string | undefined>;
  load(subjectId: string): Promise<LoadedSubject>;
}
