import { z } from 'zod';
import type { SnapshotStore } from './port';
import { MIN_SECRET_BYTES } from './seal';

const isSnapshotStore = (value: unknown): value is SnapshotStore =>
  typeof value === 'object' && value !== null && ['load', 'save', 'clear'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

/** Where and how often the ledger snapshots its streams, and the secret that seals each snapshot. */
export const SnapshotOptions = z.strictObject({
  store: z.custom<SnapshotStore>(isSnapshotStore, 'must be a SnapshotStore (load, save and clear)'),
  /** The HMAC-SHA256 key: at least 32 bytes, kept apart from the snapshot store. */
  secret: z.instanceof(Uint8Array, { message: 'must be a Uint8Array' }).refine((secret) => secret.length >= MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} bytes`),
  /** A stream is snapshotted each time this many events have been folded since its last snapshot. Default 4. */
  every: z.int().min(1).max(1_000_000).optional(),
});
export type SnapshotOptions = z.input<typeof SnapshotOptions>;

export const DEFAULT_SNAPSHOT_EVERY = 4;
