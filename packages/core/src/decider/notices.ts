import type { EventData } from '../events';
import type { SubjectState } from './subject-state';

type Owed = { type: 'RecipientNoticeOwed'; data: EventData<'RecipientNoticeOwed'> };

/** A change a recipient holding a copy must be told of (GDPR Art. 19), with the event id it is recorded under. */
export type NoticedChange =
  | { readonly reason: 'rectification' | 'erasure'; readonly changeEventId: string; readonly categories: readonly string[] }
  | { readonly reason: 'restriction'; readonly changeEventId: string }
  | { readonly reason: 'consent_withdrawn'; readonly changeEventId: string; readonly purpose: string }
  | { readonly reason: 'opted_out'; readonly changeEventId: string; readonly purposes: readonly string[] };

/** Each recipient and the categories of its copy the change touches; a recipient whose copy it does not touch is left out. */
function touched(change: NoticedChange, state: SubjectState): [string, readonly string[]][] {
  switch (change.reason) {
    case 'rectification':
    case 'erasure': {
      const changed = new Set(change.categories);
      return [...state.shares].map(([recipientId, share]): [string, readonly string[]] => [recipientId, share.categories.filter((c) => changed.has(c))]);
    }
    case 'restriction':
      return [...state.shares].map(([recipientId, share]) => [recipientId, share.categories]);
    case 'consent_withdrawn':
      return [...(state.sharedOnConsent.get(change.purpose) ?? [])];
    case 'opted_out': {
      // Whatever the basis it was sent on: an opt-out of sale or sharing binds the recipients it was sold or shared to.
      const stopped = new Set(change.purposes);
      return [...state.shares].map(([recipientId, share]) => [recipientId, share.purposes.some((p) => stopped.has(p)) ? share.categories : []]);
    }
  }
}

/**
 * The notices a change owes, one per recipient that received any of the data it touches,
 * a share revoked since included: the recipient may still hold its copy, as an erasure
 * notice assumes. None once the whole subject is erased: the erasure notice asked every
 * recipient to erase everything. Categories erased on their own leave the subject, and
 * what is still held of it, owing notices as before. Pure.
 */
export function noticesOwed(change: NoticedChange, state: SubjectState): Owed[] {
  if (state.erased) return [];
  const { reason, changeEventId } = change;
  const purpose = change.reason === 'consent_withdrawn' ? { purpose: change.purpose } : {};
  return touched(change, state)
    .filter(([, categories]) => categories.length > 0)
    .map(([recipientId, categories]) => ({ type: 'RecipientNoticeOwed', data: { recipientId, reason, changeEventId, categories: [...categories], ...purpose } }));
}
