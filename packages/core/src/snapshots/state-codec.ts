import { z } from 'zod';
import type { RecipientState, SubjectState } from '../decider';
import { ExtensionReason, RecipientNoticeReason } from '../events';

/**
 * How a decider's state is written into a snapshot and read back: `encode` gives plain JSON
 * (maps as `[key, value]` pairs, in the map's own order, so a state always encodes to the
 * same bytes), `decode` checks that JSON against the schema and rebuilds the maps. `name`
 * goes into the snapshot: a snapshot written by another codec, or an older version of this
 * one, is not read.
 */
export interface StateCodec<S> {
  readonly name: string;
  encode(state: S): unknown;
  /** Throws a ZodError when the JSON is not a state of this codec. */
  decode(json: unknown): S;
}

const Id = z.string().min(1).max(200);
const Time = z.string().min(1).max(40);
const Names = z.array(z.string().min(1).max(200));
const EventRef = z.strictObject({ eventId: Id });

/** A map as `[key, value]` pairs; the one place a snapshot's maps are read back. */
const mapOf = <V>(value: z.ZodType<V>) => z.array(z.tuple([z.string(), value])).transform((pairs): ReadonlyMap<string, V> => new Map(pairs));

const CollectedCategory = z.strictObject({
  eventId: Id,
  collectedAt: Time,
  source: z.string().max(200),
  purposes: Names,
  retainUntil: Time,
  retention: z.record(z.string().min(1).max(200), Time),
  sealed: z.string(),
  key: z.union([z.literal('subject'), z.number().int().min(0)]),
});
const ConsentFact = z.strictObject({
  status: z.enum(['granted', 'withdrawn']),
  eventId: Id,
  grantEventId: Id,
  notice: z.strictObject({ id: z.string().min(1).max(200), version: z.string().min(1).max(50) }),
  since: Time,
  expiresAt: Time.optional(),
});
const OpenRequest = z.strictObject({
  right: z.enum(['access', 'portability', 'erasure']),
  receivedAt: Time,
  dueBy: Time,
  extension: z.strictObject({ eventId: Id, reason: ExtensionReason, statutoryDueBy: Time }).optional(),
});
const ShareFact = z.strictObject({ eventIds: z.array(Id), categories: Names, purposes: Names, revokedEventId: Id.optional() });
const RecipientNoticeFact = z.strictObject({ noticeEventId: Id, reason: RecipientNoticeReason, confirmedEventId: Id.optional() });

const SubjectStateJson = z.strictObject({
  collected: mapOf(CollectedCategory),
  consents: mapOf(ConsentFact),
  objections: z.array(z.strictObject({ eventId: Id, purposes: Names.optional() })),
  shares: mapOf(ShareFact),
  optOuts: mapOf(z.strictObject({ eventId: Id, signal: z.string().min(1).max(50) })),
  objectionOverrides: mapOf(Id),
  erasureConfirmations: mapOf(Id),
  openRequests: mapOf(OpenRequest),
  erasedCategories: mapOf(Id),
  keyGenerations: mapOf(z.number().int().min(0)),
  subjectKeyHolds: Names,
  sharedOnConsent: mapOf(mapOf(Names)),
  recipientNotices: mapOf(mapOf(RecipientNoticeFact)),
  restriction: EventRef.optional(),
  erasureRequested: EventRef.optional(),
  erased: EventRef.optional(),
});

const RecipientStateJson = z.strictObject({
  registered: z.strictObject({ eventId: Id, name: z.string(), agreement: z.string(), country: z.string(), at: Time }).optional(),
  verified: z.strictObject({ eventId: Id, at: Time }).optional(),
  suspended: z.strictObject({ eventId: Id, reason: z.string(), at: Time }).optional(),
});

// Compile-time checks that what the schemas read back is the decider's state, so a field
// added to a state without its codec fails the build rather than vanishing from snapshots.
type Is<T extends true> = T;
type Covers<Read, State> = Read extends State ? ([Exclude<keyof State, keyof Read>] extends [never] ? true : false) : false;
export type SubjectCodecCovers = Is<Covers<z.output<typeof SubjectStateJson>, SubjectState>>;
export type RecipientCodecCovers = Is<Covers<z.output<typeof RecipientStateJson>, RecipientState>>;

const pairs = <V>(map: ReadonlyMap<string, V>): [string, V][] => [...map];
const nestedPairs = <V>(map: ReadonlyMap<string, ReadonlyMap<string, V>>): [string, [string, V][]][] => [...map].map(([key, inner]) => [key, pairs(inner)]);

export const subjectStateCodec: StateCodec<SubjectState> = {
  // 2: per-purpose retention, keys per category, categories erased on their own, open requests, opt-outs by signal, lifted objections,
  // the consent shares and the recipients' notices; 3: each notice's reason. A snapshot of an older version is not read, the stream is folded again.
  name: 'subject-state/3',
  encode: (state) => ({
    collected: pairs(state.collected),
    consents: pairs(state.consents),
    objections: state.objections,
    shares: pairs(state.shares),
    optOuts: pairs(state.optOuts),
    objectionOverrides: pairs(state.objectionOverrides),
    erasureConfirmations: pairs(state.erasureConfirmations),
    openRequests: pairs(state.openRequests),
    erasedCategories: pairs(state.erasedCategories),
    keyGenerations: pairs(state.keyGenerations),
    subjectKeyHolds: state.subjectKeyHolds,
    sharedOnConsent: nestedPairs(state.sharedOnConsent),
    recipientNotices: nestedPairs(state.recipientNotices),
    restriction: state.restriction,
    erasureRequested: state.erasureRequested,
    erased: state.erased,
  }),
  decode: (json) => SubjectStateJson.parse(json),
};

export const recipientStateCodec: StateCodec<RecipientState> = {
  name: 'recipient-state/1',
  encode: (state) => state,
  decode: (json) => RecipientStateJson.parse(json),
};
