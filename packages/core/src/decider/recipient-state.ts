import type { CustodianEvent } from '../events';
import type { RecipientFacts } from '../policy';

export interface RecipientState extends RecipientFacts {
  readonly registered?: { readonly eventId: string; readonly name: string; readonly agreement: string; readonly country: string; readonly at: string } | undefined;
  readonly verified?: { readonly eventId: string; readonly at: string } | undefined;
  readonly suspended?: { readonly eventId: string; readonly reason: string; readonly at: string } | undefined;
}

export const initialRecipientState: RecipientState = {};

/** Folds one event of a recipient's stream. A new verification lifts a suspension. */
export function evolveRecipient(state: RecipientState, event: CustodianEvent): RecipientState {
  switch (event.type) {
    case 'RecipientRegistered':
      return {
        registered: { eventId: event.id, name: event.data.name, agreement: event.data.agreement, country: event.data.country, at: event.occurredAt },
      };
    case 'RecipientVerified':
      return { ...state, verified: { eventId: event.id, at: event.occurredAt }, suspended: undefined };
    case 'RecipientSuspended':
      return { ...state, suspended: { eventId: event.id, reason: event.data.reason, at: event.occurredAt } };
    default:
      return state;
  }
}
