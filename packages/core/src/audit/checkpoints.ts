import { CustodianError, ValidationError } from '../errors';
import { createRootBuilder, EMPTY_ROOT, openNote, parseCheckpoint, type VerifierKey } from '../transparency';

/** A signed checkpoint as an outsider keeps it: the note text, signature lines and all. */
export type CheckpointNote = string | Uint8Array;
export type CheckpointKeys = string | VerifierKey | readonly (string | VerifierKey)[];

/** The checkpoints handed to one verify name different logs: they cannot be read as one log's history. */
export class CheckpointOriginError extends CustodianError {
  readonly code = 'CHECKPOINT_ORIGIN';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`a checkpoint is for the log ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`);
  }
}

/**
 * Where the log stops matching what was signed. `range` is inclusive: the first leaf that
 * differs (or is missing) has an index from `range[0]` to `range[1]`; `index` is given
 * when that narrows to one leaf.
 */
export interface LogMismatch {
  /**
   * `truncated`: the log holds fewer leaves than the checkpoint signed; `root_mismatch`:
   * it holds enough, but they do not hash to the signed root; `unreadable_leaf`: a record
   * at `index` has no hash member to take its leaf data from.
   */
  readonly reason: 'truncated' | 'root_mismatch' | 'unreadable_leaf';
  readonly index?: number;
  readonly range: readonly [number, number];
  /** The size of the earliest checkpoint the log no longer matches. */
  readonly checkpointSize: number;
}

export interface CheckpointCheck {
  readonly origin: string;
  /** The size of the largest checkpoint checked. */
  readonly size: number;
  /** Whether every checkpoint given matches the log. */
  readonly matches: boolean;
  readonly firstMismatch?: LogMismatch;
  /** Each checkpoint, smallest first. */
  readonly checked: readonly { readonly size: number; readonly matches: boolean }[];
  /** Leaves of the log after the largest checkpoint: no checkpoint covers them. */
  readonly uncovered: number;
  /** What was established, in plain words. */
  readonly established: string;
}

interface Opened {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
}

/** Opens every checkpoint (each signature must verify) before the log is read; all must be for one log. */
export function openCheckpoints(notes: readonly CheckpointNote[], keys: CheckpointKeys | undefined, origin?: string): Opened[] {
  if (keys === undefined || (Array.isArray(keys) && keys.length === 0)) throw new ValidationError('publicKey', [{ path: 'publicKey', message: 'is needed to open a checkpoint' }]);
  const opened = notes.map((note) => parseCheckpoint(openNote(note, keys).text));
  const expected = origin ?? opened[0]?.origin;
  for (const checkpoint of opened) if (expected !== undefined && checkpoint.origin !== expected) throw new CheckpointOriginError(expected, checkpoint.origin);
  return [...opened].sort((a, b) => a.size - b.size);
}

/**
 * The roots of the log's prefixes at the checkpoints' sizes, fed the leaf hashes of a batch
 * of records at a time (hashed on the walk's threads). Only the compact range is kept: one
 * node per set bit of the size, so memory stays O(log n) and each leaf costs one node hash
 * on average, never a second pass over the record.
 */
export function createPrefixCheck(checkpoints: readonly Opened[]) {
  const builder = createRootBuilder();
  const roots = new Map<number, Uint8Array>();
  const last = checkpoints[checkpoints.length - 1]?.size ?? 0;
  const sizes = [...new Set(checkpoints.map((c) => c.size))].filter((s) => s > 0);
  let size = 0;
  let nextSize = 0;
  let unreadableAt: number | undefined;
  if (checkpoints.some((c) => c.size === 0)) roots.set(0, EMPTY_ROOT);

  function passed(): void {
    if (size === sizes[nextSize]) {
      roots.set(size, builder.root());
      nextSize++;
    }
  }

  return {
    /**
     * Adds the next `count` leaves, hashed elsewhere: by their leaf hashes (32 bytes apiece in
     * `leafHashes`), or by the root of their perfect subtree when it is given and no checkpoint
     * ends inside them. `firstUnreadable` is the first of them (counted from 0) whose record had
     * no readable hash member, if any.
     */
    addHashed(count: number, leafHashes: Uint8Array, subtree: { height: number; root: Uint8Array } | undefined, firstUnreadable: number | undefined): void {
      if (firstUnreadable !== undefined) unreadableAt ??= size + firstUnreadable;
      const end = size + count;
      if (size >= last) {
        size = end;
        return;
      }
      const next = sizes[nextSize] as number;
      if (subtree !== undefined && next >= end) {
        builder.addSubtree(subtree.height, subtree.root);
        size = end;
        passed();
        return;
      }
      for (let i = 0; i < count && size < last; i++) {
        builder.addLeafHash(leafHashes.subarray(i * 32, (i + 1) * 32));
        size++;
        passed();
      }
      size = end;
    },
    result(): CheckpointCheck | undefined {
      const latest = checkpoints[checkpoints.length - 1];
      if (latest === undefined) return undefined;
      const checked = checkpoints.map((c) => {
        const got = roots.get(c.size);
        const readable = unreadableAt === undefined || unreadableAt >= c.size;
        return { size: c.size, matches: readable && got !== undefined && Buffer.compare(got, c.root) === 0 };
      });
      const bad = checked.findIndex((c) => !c.matches);
      const uncovered = Math.max(0, size - latest.size);
      const base = { origin: latest.origin, size: latest.size, checked, uncovered };
      if (bad < 0) return { ...base, matches: true, established: matched(latest.origin, latest.size, uncovered, checked.length) };
      const checkpointSize = (checked[bad] as { size: number }).size;
      // Every smaller checkpoint matched, so the prefix up to the largest of them is intact.
      const from = bad === 0 ? 0 : (checked[bad - 1] as { size: number }).size;
      const firstMismatch = mismatch(from, checkpointSize, size, unreadableAt);
      return { ...base, matches: false, firstMismatch, established: mismatched(latest.origin, size, firstMismatch, checked.length) };
    },
  };
}

function mismatch(from: number, checkpointSize: number, logSize: number, unreadableAt: number | undefined): LogMismatch {
  // Every checkpoint below `from` matched, so no unreadable leaf is below it.
  if (unreadableAt !== undefined && unreadableAt < checkpointSize) return { reason: 'unreadable_leaf', index: unreadableAt, range: [unreadableAt, unreadableAt], checkpointSize };
  const range: [number, number] = logSize < checkpointSize ? [from, logSize] : [from, checkpointSize - 1];
  const reason = logSize < checkpointSize ? 'truncated' : 'root_mismatch';
  return range[0] === range[1] ? { reason, index: range[0], range, checkpointSize } : { reason, range, checkpointSize };
}

const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;

function matched(origin: string, size: number, uncovered: number, count: number): string {
  const signed = count === 1 ? 'the checkpoint' : `each of the ${count} checkpoints`;
  const covered = `The log's first ${events(size)} hash to the root signed in ${signed} of ${origin}: none of them was changed, removed, reordered or inserted since it was signed.`;
  return uncovered > 0 ? `${covered} The ${events(uncovered)} after them are in no checkpoint: removal of those cannot be ruled out.` : covered;
}

function mismatched(origin: string, logSize: number, m: LogMismatch, count: number): string {
  const where =
    m.index !== undefined ? `at leaf ${m.index}` : `at a leaf from ${m.range[0]} to ${m.range[1]}${count === 1 ? ' (more checkpoints of smaller sizes would narrow it)' : ''}`;
  if (m.reason === 'unreadable_leaf')
    return `The record at leaf ${m.index} has no hash to take its leaf from: the log no longer matches the checkpoint of ${m.checkpointSize} events of ${origin}.`;
  if (m.reason === 'truncated')
    return `The log holds ${events(logSize)}, fewer than the ${m.checkpointSize} signed in the checkpoint of ${origin}: events were removed; the log first differs ${where}.`;
  return `The log's first ${events(m.checkpointSize)} do not hash to the root signed in the checkpoint of ${origin}: an event among them was changed, removed, reordered or inserted; the log first differs ${where}.`;
}
