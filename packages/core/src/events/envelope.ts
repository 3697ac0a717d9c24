import { z } from 'zod';
import { Actor, EventId, Identifier, SubjectId, Timestamp } from './common';

const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 digest');

/**
 * Where a backfilled event came from: the import that recorded it and the line of that
 * import. Its `occurredAt` is the original time the company had it on file; its
 * `recordedAt` is when the import wrote it.
 */
export const Backfilled = z.strictObject({ importId: Identifier, line: z.number().int().positive() });

/** The fields every stored event carries around its `data`. */
export const EnvelopeMeta = z.object({
  id: EventId,
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  /**
   * The stream the event belongs to, inside its hashed bytes: a record copied or moved into
   * another stream still names its own, and is refused there.
   */
  stream: z.string().min(1).max(300),
  /** Set on every event of a subject's stream; absent on recipient events. */
  subjectId: SubjectId.optional(),
  occurredAt: Timestamp,
  recordedAt: Timestamp,
  actor: Actor,
  /** Set only on events an import recorded (see `Backfilled`). */
  backfill: Backfilled.optional(),
  correlationId: z.string().min(1).max(200).optional(),
  causationId: z.string().min(1).max(200).optional(),
});

/** The chain links, added when the event is sealed into a record. */
export const ChainLinks = z.object({ prevHash: Hash, hash: Hash });

export type EnvelopeMeta = z.infer<typeof EnvelopeMeta>;
export type Backfilled = z.infer<typeof Backfilled>;
export type ChainLinks = z.infer<typeof ChainLinks>;
