import { ValidationError, type ValidationIssue } from '../errors';

/**
 * Where the ledger keeps each stream's latest snapshot, as opaque bytes (`sealSnapshot`'s).
 * A snapshot only saves work: whatever a store returns, the ledger checks its MAC, its
 * stream and its link to the event store before using it, and folds the stream from its
 * start when any check fails. So a store may lose, keep an older, or hand back altered
 * bytes without changing a decision; it must not hand back bytes saved for another stream
 * under this stream's name unless it was attacked (and then the MAC check refuses them).
 */
export interface SnapshotStore {
  /** The bytes last saved for the stream, the caller's own copy; undefined when there are none. */
  load(stream: string): Promise<Uint8Array | undefined>;
  /** Replaces the stream's snapshot with these bytes, copied at the call. */
  save(stream: string, snapshot: Uint8Array): Promise<void>;
  /** Forgets every snapshot (after a change of secret, say): the next fold of each stream starts from its first event. */
  clear(): Promise<void>;
}

/** The same refusal from every snapshot store: a `ValidationError` naming the field, before anything is read or written. */
export function validateSnapshotArguments(operation: 'load' | 'save', stream: unknown, snapshot?: unknown): void {
  const issues: ValidationIssue[] = [];
  if (typeof stream !== 'string' || stream.length === 0) issues.push({ path: 'stream', message: 'must be a non-empty string' });
  if (operation === 'save' && !(snapshot instanceof Uint8Array && snapshot.length > 0)) issues.push({ path: 'snapshot', message: 'must be a non-empty Uint8Array' });
  if (issues.length > 0) throw new ValidationError(`snapshot store ${operation}`, issues);
}
