import { z } from 'zod';
import { Category, LegalBasis, Notice, Purpose, Sealed, Timestamp } from './common';

/** A category key's generation: 0 until the category is first erased on its own, one more after each such erasure. */
export const KeyGeneration = z.number().int().min(0).max(1_000_000);

/**
 * Which key each value is sealed under: `subject-key`, the subject's one key (every value
 * recorded before schema version 2), or per category the generation of that category's key.
 */
export const SealedWith = z.union([z.literal('subject-key'), z.record(Category, KeyGeneration)]);
export type SealedWith = z.infer<typeof SealedWith>;

/** Per category: the purposes it was collected for (those named that cover it) and when each one's retention runs out. */
export const PurposeRetention = z.record(Category, z.record(Purpose, Timestamp));
export type PurposeRetention = z.infer<typeof PurposeRetention>;

/** The fields of `DataCollected` at schema version 1. */
const DataCollectedV1 = {
  categories: z.array(Category).min(1),
  source: z.string().min(1).max(200),
  purposes: z.array(Purpose).min(1),
  /** The legal basis of each purpose, as the policy declared it when the data was collected. */
  legalBases: z.record(Purpose, LegalBasis),
  notice: Notice,
  /** When the longest retention among the purposes runs out. */
  retainUntil: Timestamp,
  /** One sealed value per category; the plaintext never reaches the store. */
  values: z.record(Category, Sealed),
};

/**
 * Schema version 2 adds `retention` and `sealedWith`. The ledger always writes both; an event
 * without them (written around the ledger) reads as version 1 does: every purpose kept until
 * `retainUntil`, every value under the subject's one key.
 */
export const DataCollected = z.object({
  ...DataCollectedV1,
  retention: PurposeRetention.optional(),
  sealedWith: SealedWith.optional(),
});

export const DataRectified = z.object({
  categories: z.array(Category).min(1),
  values: z.record(Category, Sealed),
  /** Since schema version 2; absent reads as `subject-key`. */
  sealedWith: SealedWith.optional(),
});

export const collectionEvents = {
  DataCollected: { schemaVersion: 2, schema: DataCollected },
  DataRectified: { schemaVersion: 2, schema: DataRectified },
} as const;

/** The purposes' retention a collection records for a category; one that does not say (schema version 1) keeps every purpose until `retainUntil`. */
export function retentionOfCategory(data: z.infer<typeof DataCollected>, category: string): Readonly<Record<string, string>> {
  return data.retention?.[category] ?? Object.fromEntries(data.purposes.map((purpose) => [purpose, data.retainUntil]));
}

/** The last of the ends, or `fallback` when there are none. */
export const lastEnd = (ends: readonly string[], fallback: string): string =>
  ends.length > 0 ? new Date(Math.max(...ends.map((end) => Date.parse(end)))).toISOString() : fallback;
