import type { CustodianEvent } from '../events';
import type { ReadModel } from './read-model';

export interface RecipientReceipt {
  readonly eventId: string;
  readonly subjectId: string;
  readonly categories: readonly string[];
  readonly purpose: string;
  readonly at: string;
}

/** One entry of `ledger.recipients()`: the registry, and what each recipient received. */
export interface RecipientEntry {
  readonly recipientId: string;
  readonly name?: string | undefined;
  readonly agreement?: string | undefined;
  readonly country?: string | undefined;
  readonly status: 'unregistered' | 'registered' | 'verified' | 'suspended';
  readonly registeredAt?: string | undefined;
  readonly verifiedAt?: string | undefined;
  readonly suspendedAt?: string | undefined;
  readonly received: readonly RecipientReceipt[];
  /** Subjects erased after the recipient received their data, and whether it confirmed erasing its copy. */
  readonly erasureNotices: readonly { readonly subjectId: string; readonly erasureEventId: string; readonly confirmed: boolean }[];
}

function keysOf(event: CustodianEvent): readonly string[] {
  switch (event.type) {
    case 'RecipientRegistered':
    case 'RecipientVerified':
    case 'RecipientSuspended':
    case 'DataShared':
    case 'RecipientErasureConfirmed':
      return [event.data.recipientId];
    case 'DataErased':
      return event.data.recipientsNotified;
    default:
      return [];
  }
}

export const recipientsProjection: ReadModel<RecipientEntry> = {
  name: 'recipients',
  initial: (recipientId) => ({ recipientId, status: 'unregistered', received: [], erasureNotices: [] }),
  keysOf,
  evolve(state, event: CustodianEvent) {
    switch (event.type) {
      case 'RecipientRegistered': {
        const { name, agreement, country } = event.data;
        return { ...state, name, agreement, country, status: 'registered', registeredAt: event.occurredAt };
      }
      case 'RecipientVerified':
        return { ...state, status: 'verified', verifiedAt: event.occurredAt, suspendedAt: undefined };
      case 'RecipientSuspended':
        return { ...state, status: 'suspended', suspendedAt: event.occurredAt };
      case 'DataShared':
        return {
          ...state,
          received: [
            ...state.received,
            { eventId: event.id, subjectId: event.subjectId ?? '', categories: event.data.categories, purpose: event.data.purpose, at: event.occurredAt },
          ],
        };
      case 'DataErased':
        return { ...state, erasureNotices: [...state.erasureNotices, { subjectId: event.subjectId ?? '', erasureEventId: event.id, confirmed: false }] };
      case 'RecipientErasureConfirmed':
        return {
          ...state,
          erasureNotices: state.erasureNotices.map((n) => (n.erasureEventId === event.data.erasureEventId ? { ...n, confirmed: true } : n)),
        };
      default:
        return state;
    }
  },
};
