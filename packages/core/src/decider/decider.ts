import type { CustodianEvent } from '../events';
import type { Policy } from '../policy';
import { decideRecipient, decideSubject, type EventDraft, type RecipientCommand, type SubjectCommand } from './decide';
import { evolveRecipient, initialRecipientState, type RecipientState } from './recipient-state';
import { evolveSubject, initialSubjectState, type SubjectState } from './subject-state';

/** The decider shape: pure `decide(command, state)` and `evolve(state, event)` from an initial state. */
export interface Decider<Command, State> {
  readonly initialState: State;
  decide(command: Command, state: State): EventDraft[];
  evolve(state: State, event: CustodianEvent): State;
}

export const subjectDecider = (policy: Policy): Decider<SubjectCommand, SubjectState> => ({
  initialState: initialSubjectState,
  decide: (command, state) => decideSubject(command, state, policy),
  evolve: evolveSubject,
});

export const recipientDecider: Decider<RecipientCommand, RecipientState> = {
  initialState: initialRecipientState,
  decide: decideRecipient,
  evolve: evolveRecipient,
};
