import { expect } from '@jest/globals';
import { events, GENESIS_HASH, type CustodianEvent, type Decider, type DenialReason, type EventDraft } from '@custodian/core';

/** A given event: a draft, optionally with the id later events refer to (a consent's, say). */
export type GivenEvent = EventDraft & { id?: string; occurredAt?: string };

export interface DeciderThen {
  /** The events decided, compared with `toEqual` (asymmetric matchers welcome). */
  then(expected: readonly unknown[]): void;
  /** A single `UseDenied` with this reason. */
  thenDenied(reason: DenialReason): void;
  /** The command is refused with an error of this code (`COMMAND_REFUSED`, …) and, optionally, reason and exact message. */
  thenThrows(code: string, reason?: string, message?: string): void;
}

let counter = 0;

function complete(given: GivenEvent): CustodianEvent {
  const { id, occurredAt, ...draft } = given;
  const event = events.envelope(draft, {
    stream: 'subject-subject-under-test',
    subjectId: 'subject-under-test',
    actor: { id: 'spec', kind: 'service', roles: [] },
    now: new Date(occurredAt ?? '2026-01-01T00:00:00.000Z'),
    id: id ?? `00000000-0000-7000-8000-${String(++counter).padStart(12, '0')}`,
  });
  return { ...event, prevHash: GENESIS_HASH, hash: GENESIS_HASH } as CustodianEvent;
}

/**
 * Given/when/then for a decider, with no store:
 *
 *   deciderSpec(subjectDecider(policy)).given([collected, consented]).when(useCommand).then([...])
 */
export function deciderSpec<Command, State>(decider: Decider<Command, State>) {
  return {
    given(events: readonly GivenEvent[]) {
      const state = events.map(complete).reduce(decider.evolve, decider.initialState);
      return {
        when(command: Command): DeciderThen {
          const run = () => decider.decide(command, state);
          return {
            then(expected) {
              expect(run()).toEqual(expected);
            },
            thenDenied(reason) {
              const decided = run();
              expect(decided).toHaveLength(1);
              expect(decided[0]).toMatchObject({ type: 'UseDenied', data: { reason } });
            },
            thenThrows(code, reason, message) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toMatchObject({ code, ...(reason !== undefined && { reason }), ...(message !== undefined && { message }) });
            },
          };
        },
      };
    },
  };
}
