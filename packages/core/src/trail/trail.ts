import { z } from 'zod';
import { parseOrThrow } from '../errors';
import { events, Identifier, TamperedStreamError, type Actor, type Basis, type CustodianEvent } from '../events';
import { readRecordedPolicy, type Policy } from '../policy';
import type { RecipientEntry } from '../projections';
import type { EventStore } from '../store';
import { describeEvent } from '../subject';
import { registryWords } from './words';

/** One event of an auditor's trail across subjects: what happened, in words, with its place in the log. */
export interface TrailEntry {
  /** Its global position: the order the log holds it in. */
  readonly position: bigint;
  readonly eventId: string;
  readonly eventType: string;
  /** When it happened (`occurredAt`): what `from` and `to` are matched against. */
  readonly at: string;
  readonly recordedAt: string;
  readonly subjectId?: string | undefined;
  readonly actor: Actor;
  readonly what: string;
  readonly why: string;
  readonly purposes: readonly string[];
  readonly categories: readonly string[];
  readonly recipientIds: readonly string[];
  readonly activity?: string | undefined;
  readonly basis?: Basis | undefined;
  readonly reason?: string | undefined;
}

export interface TrailOptions {
  /** The first moment included (`occurredAt` at or after it). */
  from?: Date | string;
  /** The first moment left out (`occurredAt` before it): a range is `[from, to)`. */
  to?: Date | string;
}

const Moment = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((v) => (v instanceof Date ? v : new Date(v)))
  .refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date');
const Range = { from: Moment.optional(), to: Moment.optional() };
const ordered = ({ from, to }: { from?: Date | undefined; to?: Date | undefined }) => from === undefined || to === undefined || from.getTime() < to.getTime();
const AFTER_FROM = { path: ['to'], message: 'must be after from' };
// An actor id is matched as stored: services writing around the ledger may have stored any text.
const ActorQuery = z.strictObject({ actorId: z.string().min(1).max(1_000), ...Range }).refine(ordered, AFTER_FROM);
const RecipientQuery = z.strictObject({ recipientId: Identifier, ...Range }).refine(ordered, AFTER_FROM);

const RECEIVED: ReadonlySet<string> = new Set([
  'DataShared',
  'ShareRevoked',
  'DataErased',
  'RecipientErasureConfirmed',
  'RecipientRegistered',
  'RecipientVerified',
  'RecipientSuspended',
]);

/** The recipient ids an event names, whoever wrote it. */
function recipientsNamed(event: CustodianEvent): readonly string[] {
  if (event.type === 'DataErased') return event.data.recipientsNotified;
  if (event.type === 'UseDenied') return event.data.recipientId === undefined ? [] : [event.data.recipientId];
  return 'recipientId' in event.data && typeof event.data.recipientId === 'string' ? [event.data.recipientId] : [];
}

/**
 * What one recipient received and was told: each share of a subject's data with it, each
 * share revoked, each erasure notice (Art. 19) and its confirmation, and its own registry
 * events. A refused share is not among them: nothing reached the recipient.
 */
const concernsRecipient = (recipientId: string) => (event: CustodianEvent) => RECEIVED.has(event.type) && recipientsNamed(event).includes(recipientId);

/** Everything one actor did, across subjects, recipients and the policy stream, in `[from, to)`. */
export async function actorTrail(store: EventStore, actorId: string, options: TrailOptions = {}, policy?: Policy): Promise<TrailEntry[]> {
  const query = parseOrThrow(ActorQuery, { ...options, actorId }, 'actorHistory');
  return readTrail(store, (event) => event.actor.id === query.actorId, query, policy);
}

/** Everything one recipient received and was told, across subjects, in `[from, to)`. */
export async function recipientTrail(store: EventStore, recipientId: string, options: TrailOptions = {}, policy?: Policy): Promise<TrailEntry[]> {
  const query = parseOrThrow(RecipientQuery, { ...options, recipientId }, 'recipientHistory');
  return readTrail(store, concernsRecipient(query.recipientId), query, policy);
}

/**
 * One pass over the log in global order. Besides the events wanted it keeps only the
 * recipients' registry (their names for the words), not what each received.
 */
async function readTrail(
  store: EventStore,
  wanted: (event: CustodianEvent) => boolean,
  range: { from?: Date | undefined; to?: Date | undefined },
  given?: Policy,
): Promise<TrailEntry[]> {
  const from = range.from?.getTime() ?? -Infinity;
  const to = range.to?.getTime() ?? Infinity;
  const registry = new Map<string, RecipientEntry>();
  const found: { event: CustodianEvent; position: bigint }[] = [];
  for await (const record of store.readAll()) {
    const event = events.decode(record.data);
    // A copy of an event in another stream would be told twice.
    if (event.stream !== record.stream) throw new TamperedStreamError(record.stream, record.revision, 'stream_mismatch');
    if (event.type === 'RecipientRegistered') {
      const { recipientId, name, agreement, country } = event.data;
      registry.set(recipientId, { recipientId, name, agreement, country, status: 'registered', received: [], erasureNotices: [] });
    }
    const at = Date.parse(event.occurredAt);
    if (at >= from && at < to && wanted(event)) found.push({ event, position: record.position });
  }
  const policy = given ?? (await readRecordedPolicy(store));
  return found.map(({ event, position }) => entryOf(event, position, { policy, recipients: registry }));
}

function entryOf(event: CustodianEvent, position: bigint, context: Parameters<typeof describeEvent>[1]): TrailEntry {
  const item = describeEvent(event, context);
  const said = item ?? registryWords(event) ?? { what: `Recorded ${event.type}.`, why: '' };
  return {
    position,
    eventId: event.id,
    eventType: event.type,
    at: event.occurredAt,
    recordedAt: event.recordedAt,
    subjectId: event.subjectId,
    actor: event.actor,
    what: said.what,
    why: said.why,
    purposes: item?.purposes ?? [],
    categories: item?.categories ?? [],
    recipientIds: recipientsNamed(event),
    activity: item?.activity,
    basis: 'basis' in event.data ? event.data.basis : undefined,
    reason: item?.reason,
  };
}
