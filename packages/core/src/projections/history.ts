import type { Actor, Basis, CustodianEvent } from '../events';
import { bySubject, type Projection } from './projection';

/** One line of a subject's history: who touched what, why, on what basis, when. */
export interface HistoryEntry {
  readonly eventId: string;
  readonly at: string;
  readonly kind: 'accessed' | 'used' | 'shared' | 'denied';
  readonly actor: Actor;
  readonly purpose: string;
  readonly categories: readonly string[];
  readonly activity?: string | undefined;
  readonly recipientId?: string | undefined;
  readonly basis?: Basis | undefined;
  readonly reason?: string | undefined;
  readonly detail?: string | undefined;
  readonly operation?: 'use' | 'access' | 'share' | undefined;
}

export const historyProjection: Projection<readonly HistoryEntry[]> = {
  name: 'access_history',
  initial: () => [],
  keysOf: bySubject,
  evolve(entries, event: CustodianEvent) {
    const common = { eventId: event.id, at: event.occurredAt, actor: event.actor };
    switch (event.type) {
      case 'DataAccessed':
        return [...entries, { ...common, kind: 'accessed', purpose: event.data.purpose, categories: event.data.categories, basis: event.data.basis }];
      case 'DataUsed':
        return [
          ...entries,
          { ...common, kind: 'used', purpose: event.data.purpose, categories: event.data.categories, activity: event.data.activity, basis: event.data.basis },
        ];
      case 'DataShared':
        return [
          ...entries,
          { ...common, kind: 'shared', purpose: event.data.purpose, categories: event.data.categories, recipientId: event.data.recipientId, basis: event.data.basis },
        ];
      case 'UseDenied':
        return [
          ...entries,
          {
            ...common,
            kind: 'denied',
            operation: event.data.operation,
            purpose: event.data.purpose,
            categories: event.data.categories,
            activity: event.data.activity,
            recipientId: event.data.recipientId,
            reason: event.data.reason,
            detail: event.data.detail,
          },
        ];
      default:
        return entries;
    }
  },
};
