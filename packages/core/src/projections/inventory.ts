import { lastEnd, retentionOfCategory, type CustodianEvent, type ErasureReason, type RecipientNoticeReason } from '../events';
import { bySubject, type ReadModel } from './read-model';

export interface HeldCategory {
  readonly category: string;
  readonly source: string;
  readonly collectedAt: string;
  readonly rectifiedAt?: string | undefined;
  readonly purposes: readonly string[];
  /** When retention runs out for this category: the last of its purposes' retention. */
  readonly retainUntil: string;
  /** Each purpose it was collected for, with when that purpose's own retention runs out; absent where a table does not keep it. */
  readonly retention?: Readonly<Record<string, string>> | undefined;
  readonly collectedBy: string;
}

/** A category erased on its own, the subject kept: by request (Art. 17) or once no purpose could keep it. */
export interface ErasedCategory {
  readonly category: string;
  readonly erasedAt: string;
  readonly reason: ErasureReason;
  readonly eventId: string;
  /** Recipients that held a copy of it and were sent an erasure notice (Art. 19). */
  readonly recipientsNotified: readonly string[];
}

export interface RecipientCopy {
  readonly recipientId: string;
  readonly categories: readonly string[];
  readonly purposes: readonly string[];
  readonly firstSharedAt: string;
  readonly revokedAt?: string | undefined;
  /** After an erasure: `pending` until the recipient confirms (Art. 19). */
  readonly erasure: 'not_requested' | 'pending' | 'confirmed';
}

/** A notice of a change owed to a recipient holding a copy (Art. 19): `pending` until the recipient confirms. */
export interface RecipientNotice {
  readonly recipientId: string;
  readonly reason: RecipientNoticeReason;
  /** The change the recipient must be told of. */
  readonly changeEventId: string;
  /** The `RecipientNoticeOwed` event. */
  readonly noticeEventId: string;
  readonly categories: readonly string[];
  readonly purpose?: string | undefined;
  readonly owedAt: string;
  readonly status: 'pending' | 'confirmed';
  readonly confirmedAt?: string | undefined;
}

/** `ledger.inventory()`: what is held about a subject, and where it went. */
export interface Inventory {
  readonly subjectId: string;
  readonly categories: readonly HeldCategory[];
  readonly recipients: readonly RecipientCopy[];
  readonly erasureRequestedAt?: string | undefined;
  readonly erased: boolean;
  readonly erasedAt?: string | undefined;
  /** Recipients that were sent an erasure notice and have not confirmed. */
  readonly pendingErasureConfirmations: readonly string[];
  /** Every notice of a rectification, restriction or consent withdrawal owed to a recipient, oldest first; those `pending` are still owed. */
  readonly recipientNotices: readonly RecipientNotice[];
  /** Categories erased on their own, until collected again; absent where a table does not keep them. */
  readonly erasedCategories?: readonly ErasedCategory[] | undefined;
}

const replace = <T>(list: readonly T[], match: (item: T) => boolean, next: (item: T | undefined) => T): T[] => {
  const index = list.findIndex(match);
  return index < 0 ? [...list, next(undefined)] : list.map((item, i) => (i === index ? next(item) : item));
};

/** A held category's retention per purpose; one read from a table that does not keep it: every purpose until `retainUntil`. */
const retentionHeld = (held: HeldCategory): Readonly<Record<string, string>> => held.retention ?? Object.fromEntries(held.purposes.map((purpose) => [purpose, held.retainUntil]));

const pending = (recipients: readonly RecipientCopy[]) => recipients.filter((r) => r.erasure === 'pending').map((r) => r.recipientId);

function noticeOwed(state: Inventory, event: CustodianEvent<'RecipientNoticeOwed'>): Inventory {
  const { recipientId, reason, changeEventId, categories, purpose } = event.data;
  const notice: RecipientNotice = { recipientId, reason, changeEventId, noticeEventId: event.id, categories, purpose, owedAt: event.occurredAt, status: 'pending' };
  return { ...state, recipientNotices: [...state.recipientNotices, notice] };
}

function noticeConfirmed(state: Inventory, event: CustodianEvent<'RecipientNoticeConfirmed'>): Inventory {
  const { recipientId, changeEventId } = event.data;
  const confirmed = (n: RecipientNotice) => n.recipientId === recipientId && n.changeEventId === changeEventId && n.status === 'pending';
  if (!state.recipientNotices.some(confirmed)) return state;
  const recipientNotices = state.recipientNotices.map((n) => (confirmed(n) ? { ...n, status: 'confirmed' as const, confirmedAt: event.occurredAt } : n));
  return { ...state, recipientNotices };
}

export const inventoryProjection: ReadModel<Inventory> = {
  name: 'inventory',
  initial: (subjectId) => ({ subjectId, categories: [], recipients: [], erased: false, pendingErasureConfirmations: [], recipientNotices: [] }),
  keysOf: bySubject,
  evolve(state, event: CustodianEvent) {
    switch (event.type) {
      case 'DataCollected': {
        let categories: readonly HeldCategory[] = state.categories;
        for (const category of event.data.categories) {
          categories = replace(
            categories,
            (c) => c.category === category,
            (before) => {
              // Each purpose's latest collection counts, as the decider holds it.
              const retention = { ...(before && retentionHeld(before)), ...retentionOfCategory(event.data, category) };
              return {
                category,
                source: event.data.source,
                collectedAt: event.occurredAt,
                purposes: Object.keys(retention),
                retainUntil: lastEnd(Object.values(retention), event.data.retainUntil),
                retention,
                collectedBy: event.actor.id,
              };
            },
          );
        }
        const recollected = state.erasedCategories?.filter((erased) => !event.data.categories.includes(erased.category));
        return { ...state, categories, ...(recollected && { erasedCategories: recollected }) };
      }
      case 'DataRectified':
        return {
          ...state,
          categories: state.categories.map((c) => (event.data.categories.includes(c.category) ? { ...c, rectifiedAt: event.occurredAt } : c)),
        };
      case 'DataShared': {
        const { recipientId, categories, purpose } = event.data;
        const recipients = replace(
          state.recipients,
          (r) => r.recipientId === recipientId,
          (r) =>
            r
              ? { ...r, categories: [...new Set([...r.categories, ...categories])], purposes: [...new Set([...r.purposes, purpose])], revokedAt: undefined }
              : { recipientId, categories, purposes: [purpose], firstSharedAt: event.occurredAt, erasure: 'not_requested' as const },
        );
        return { ...state, recipients };
      }
      case 'ShareRevoked':
        return { ...state, recipients: state.recipients.map((r) => (r.recipientId === event.data.recipientId ? { ...r, revokedAt: event.occurredAt } : r)) };
      case 'ErasureRequested':
        return { ...state, erasureRequestedAt: event.occurredAt };
      case 'DataErased': {
        if (event.data.scope === 'categories') {
          const erased = event.data.categories ?? [];
          const entries = erased.map((category): ErasedCategory => {
            const notified = state.recipients.filter((r) => event.data.recipientsNotified.includes(r.recipientId) && r.categories.includes(category)).map((r) => r.recipientId);
            return { category, erasedAt: event.occurredAt, reason: event.data.reason ?? 'erasure_request', eventId: event.id, recipientsNotified: notified };
          });
          return {
            ...state,
            categories: state.categories.filter((held) => !erased.includes(held.category)),
            erasedCategories: [...(state.erasedCategories ?? []).filter((e) => !erased.includes(e.category)), ...entries],
          };
        }
        const notified = new Set(event.data.recipientsNotified);
        const recipients = state.recipients.map((r) => (notified.has(r.recipientId) ? { ...r, erasure: 'pending' as const } : r));
        return { ...state, erased: true, erasedAt: event.occurredAt, recipients, pendingErasureConfirmations: pending(recipients) };
      }
      case 'RecipientErasureConfirmed': {
        const recipients = state.recipients.map((r) => (r.recipientId === event.data.recipientId ? { ...r, erasure: 'confirmed' as const } : r));
        return { ...state, recipients, pendingErasureConfirmations: pending(recipients) };
      }
      case 'RecipientNoticeOwed':
        return noticeOwed(state, event);
      case 'RecipientNoticeConfirmed':
        return noticeConfirmed(state, event);
      default:
        return state;
    }
  },
};
