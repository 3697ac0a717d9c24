import type { CustodianEvent } from '../events';
import { appendLog, type AppendLog } from '../persistent';
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
  /** Erasures (of a subject, or of some of her categories) after the recipient received the data, and whether it confirmed erasing its copy. */
  readonly erasureNotices: readonly ErasureNotice[];
}

export interface ErasureNotice {
  readonly subjectId: string;
  readonly erasureEventId: string;
  readonly confirmed: boolean;
}

function keysOf(event: CustodianEvent): readonly string[] {
  switch (event.type) {
    case 'RecipientRegistered':
    case 'RecipientVerified':
    case 'RecipientSuspended':
    case 'DataShared':
    case 'RecipientErasureConfirmed':
    case 'RecipientNoticeConfirmed':
      return [event.data.recipientId];
    case 'DataErased':
      return event.data.recipientsNotified;
    default:
      return [];
  }
}

type Registry = Omit<RecipientEntry, 'received' | 'erasureNotices'>;

/** A confirmation covers the notices of its erasure that came before it: `upTo` of them. */
interface Confirmation {
  readonly erasureEventId: string;
  readonly upTo: number;
}

/** What grows with the log, as append-only logs: each event appends once instead of copying its list. */
interface Lists {
  readonly received: AppendLog<RecipientReceipt>;
  readonly notices: AppendLog<Omit<ErasureNotice, 'confirmed'>>;
  readonly confirmations: AppendLog<Confirmation>;
}

/** What an entry this fold made holds besides its fields: its logs, and its registry as the fold last set it. */
interface Held extends Lists {
  readonly registry: Registry;
}

/** Where an entry this fold made keeps its logs: not enumerable, so JSON, spreads and equality never see it. */
const HELD = Symbol('recipient lists');

/** An entry given by someone else (a row loaded from SQL, a decoded checkpoint) starts its logs from its lists. */
function heldOf(state: RecipientEntry): Held {
  const known = (state as { [HELD]?: Held })[HELD];
  if (known) return known;
  return {
    registry: registryOf(state),
    received: appendLog(state.received),
    notices: appendLog(state.erasureNotices.map(({ subjectId, erasureEventId }) => ({ subjectId, erasureEventId }))),
    confirmations: appendLog(state.erasureNotices.flatMap((notice, i) => (notice.confirmed ? [{ erasureEventId: notice.erasureEventId, upTo: i + 1 }] : []))),
  };
}

function noticesOf({ notices, confirmations }: Lists): ErasureNotice[] {
  const upTo = new Map<string, number>();
  for (const c of confirmations.toArray()) upTo.set(c.erasureEventId, Math.max(upTo.get(c.erasureEventId) ?? 0, c.upTo));
  return notices.toArray().map((notice, i) => ({ ...notice, confirmed: (upTo.get(notice.erasureEventId) ?? 0) > i }));
}

/**
 * An entry whose lists are copied out of their logs when first read, then kept. Its keys
 * keep the order a plain fold gave them (id, status, the lists, then the registry as it was
 * filled in), so JSON written from it reads as before.
 */
function entry(held: Held): RecipientEntry {
  const { recipientId, status, ...rest } = held.registry;
  let received: RecipientReceipt[] | undefined;
  let notices: ErasureNotice[] | undefined;
  const made: RecipientEntry = {
    recipientId,
    status,
    get received() {
      return (received ??= held.received.toArray());
    },
    get erasureNotices() {
      return (notices ??= noticesOf(held));
    },
    ...rest,
  };
  return Object.defineProperty(made, HELD, { value: held });
}

/** The registry fields of an entry, without reading (and so copying out) its lists. */
function registryOf(state: RecipientEntry): Registry {
  const registry: Record<string, unknown> = {};
  for (const key of Object.keys(state)) if (key !== 'received' && key !== 'erasureNotices') registry[key] = state[key as keyof Registry];
  return registry as unknown as Registry;
}

/** The entry with one of its logs grown: its registry as it was, not read again from its fields. */
const grownEntry = (held: Held, lists: Partial<Lists>): RecipientEntry =>
  entry({
    registry: held.registry,
    received: lists.received ?? held.received,
    notices: lists.notices ?? held.notices,
    confirmations: lists.confirmations ?? held.confirmations,
  });

export const recipientsProjection: ReadModel<RecipientEntry> = {
  name: 'recipients',
  initial: (recipientId) => entry({ registry: { recipientId, status: 'unregistered' }, received: appendLog(), notices: appendLog(), confirmations: appendLog() }),
  keysOf,
  evolve(state, event: CustodianEvent) {
    const held = heldOf(state);
    switch (event.type) {
      case 'RecipientRegistered': {
        const { name, agreement, country } = event.data;
        return entry({ ...held, registry: { ...held.registry, name, agreement, country, status: 'registered', registeredAt: event.occurredAt } });
      }
      case 'RecipientVerified':
        return entry({ ...held, registry: { ...held.registry, status: 'verified', verifiedAt: event.occurredAt, suspendedAt: undefined } });
      case 'RecipientSuspended':
        return entry({ ...held, registry: { ...held.registry, status: 'suspended', suspendedAt: event.occurredAt } });
      case 'DataShared': {
        const receipt = { eventId: event.id, subjectId: event.subjectId ?? '', categories: event.data.categories, purpose: event.data.purpose, at: event.occurredAt };
        return grownEntry(held, { received: held.received.append(receipt) });
      }
      case 'DataErased':
        return grownEntry(held, { notices: held.notices.append({ subjectId: event.subjectId ?? '', erasureEventId: event.id }) });
      case 'RecipientErasureConfirmed':
      case 'RecipientNoticeConfirmed': {
        // An erasure of some categories is confirmed as a notice of it; a confirmation naming another change matches no erasure here.
        const erasureEventId = event.type === 'RecipientErasureConfirmed' ? event.data.erasureEventId : event.data.changeEventId;
        const confirmation = { erasureEventId, upTo: held.notices.length };
        return grownEntry(held, { confirmations: held.confirmations.append(confirmation) });
      }
      default:
        return state;
    }
  },
};
