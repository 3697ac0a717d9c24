import { z } from 'zod';
import { Category, LegalBasis, Notice, Purpose, Sealed, Timestamp } from './common';

export const DataCollected = z.object({
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
});

export const DataRectified = z.object({
  categories: z.array(Category).min(1),
  values: z.record(Category, Sealed),
});

export const collectionEvents = {
  DataCollected: { schemaVersion: 1, schema: DataCollected },
  DataRectified: { schemaVersion: 1, schema: DataRectified },
} as const;
