import { z } from 'zod';
import { parseOrThrow } from '../errors';
import type { EventStore } from '../store';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint';
import { CheckpointMismatchError, MalformedTransparencyTextError } from './errors';
import { leafDataOfRecord, leafHash } from './hash';
import { createLogTree, type LogTree } from './log-tree';
import { openNote, signNote } from './note';
import type { Publisher } from './publisher';
import type { Signer } from './signer';
import { verifyConsistency } from './verify';

const Settings = z.object({
  origin: z.string().min(1).max(300),
  /** Sign once the log grew by this many events since the last checkpoint. */
  every: z.number().int().min(1).default(1_000),
  /** Sign this often if the log grew at all, however little. */
  intervalMs: z.number().int().min(1).default(10_000),
  /**
   * How often the log is read for new events. It is read in bulk from where the tree stands,
   * not followed event by event, so that the service it runs beside pays little per event.
   */
  pollMs: z.number().int().min(1).default(250),
});

export interface CheckpointerOptions {
  store: EventStore;
  signer: Signer;
  /** The log's name on the first line of each checkpoint, e.g. `custodian.example/ledger`. */
  origin: string;
  every?: number;
  intervalMs?: number;
  pollMs?: number;
  publisher: Publisher;
  /** Failures of the background work: a publisher down (retried at the next turn), or a `CheckpointMismatchError`, which stops it. */
  onError?: (error: unknown) => void;
}

export interface SignedCheckpoint {
  /** The signed note, as published. */
  readonly note: string;
  readonly checkpoint: Checkpoint;
}

export interface Checkpointer {
  /** Resumes from the latest published checkpoint (refusing a log that no longer matches it) and follows the log. */
  start(): Promise<void>;
  /** Stops following; a checkpoint under way is finished first. */
  stop(): Promise<void>;
  /** Reads the log to its end and signs a checkpoint if it grew; resolves to the latest published one. */
  checkpointNow(): Promise<SignedCheckpoint | undefined>;
  /** The last checkpoint published, if any. */
  latest(): SignedCheckpoint | undefined;
  /** The tree it keeps, for proofs and receipts against its checkpoints. */
  readonly log: LogTree;
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** What the checkpointer's parts share. */
interface State {
  readonly store: EventStore;
  readonly signer: Signer;
  readonly publisher: Publisher;
  readonly origin: string;
  readonly log: LogTree;
  last: SignedCheckpoint | undefined;
  /** The error that stopped it for good (a `CheckpointMismatchError`). */
  halted: unknown;
}

/**
 * Signs a C2SP checkpoint of the log every `every` events or `intervalMs` milliseconds
 * when it grew, and hands it to the publisher. Its tree grows one leaf at a time, so a
 * checkpoint costs O(log n) hashes. It never signs two inconsistent checkpoints: each new
 * tree must extend the last published one (checked with a consistency proof, and by
 * re-reading that checkpoint's last event where the store holds it now), and on start it
 * rebuilds the tree and requires the latest published root. It follows the log by reading
 * it every `pollMs` from where its tree stands, in bulk, signing at the last multiple of
 * `every` past the last checkpoint that the read reached.
 */
export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { store, signer, publisher, onError } = options;
  const { origin, every, intervalMs, pollMs } = parseOrThrow(Settings, options, 'checkpointer');
  // An origin a checkpoint cannot hold (a line break, a control character) is refused now, not at the first signing.
  formatCheckpoint({ origin, size: 0, root: new Uint8Array(32) });
  const state: State = { store, signer, publisher, origin, log: createLogTree(store), last: undefined, halted: undefined };
  const serial = serialQueue(state);
  const resume = resumer(state);
  const timers: NodeJS.Timeout[] = [];
  let running = false;
  let unfollow = (): void => undefined;

  function halt(): void {
    running = false;
    unfollow();
    for (const timer of timers.splice(0)) clearInterval(timer);
  }
  function report(error: unknown): void {
    if (error instanceof CheckpointMismatchError) {
      state.halted ??= error;
      halt();
    }
    onError?.(error);
  }
  /**
   * Reads the log to its end and, once it grew by `every` or more since the last checkpoint,
   * signs at the last multiple of `every` past it. A log that grew by many times `every`
   * between two reads (a burst, a start behind a long log) gets one checkpoint, not one per
   * multiple passed: those would each cost a signature and a durable write, all signed at
   * once and proving nothing the last does not, since any two are linked by a consistency proof.
   */
  async function advance(): Promise<void> {
    const from = state.last?.checkpoint.size ?? 0;
    const size = await state.log.catchUp();
    const reached = from + Math.floor((size - from) / every) * every;
    if (reached > from) await sign(state, reached);
  }
  function follow(): void {
    let reading = false;
    const poll = () => {
      // A slow read is not queued again behind itself.
      if (reading || !running) return;
      reading = true;
      serial(advance)
        .catch(report)
        .finally(() => {
          reading = false;
        });
    };
    const tick = () => {
      if (running) serial(async () => (await advance(), sign(state, state.log.size))).catch(report);
    };
    timers.push(setInterval(poll, pollMs), setInterval(tick, intervalMs));
    for (const timer of timers) timer.unref();
  }

  return {
    log: state.log,
    latest: () => state.last,
    async start() {
      if (running) return;
      await serial(resume);
      running = true;
      // This process's appends are taken as written, so a poll reads back only what others wrote.
      unfollow = state.log.followAppends();
      follow();
    },
    async stop() {
      halt();
      await serial(async () => undefined).catch(() => undefined);
    },
    checkpointNow: () =>
      serial(async () => {
        await resume();
        await advance();
        return sign(state, state.log.size);
      }),
  };
}

/** One thing at a time: catching up, signing and publishing never interleave; nothing runs once halted. */
function serialQueue(state: State) {
  let queue: Promise<unknown> = Promise.resolve();
  return function serial<T>(work: () => Promise<T>): Promise<T> {
    const turn = queue.then(() => {
      if (state.halted !== undefined) throw state.halted;
      return work();
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
}

/** Resumes once from the latest published checkpoint: the log must still hold it, root and all. */
function resumer(state: State): () => Promise<void> {
  const { publisher, origin, log, signer } = state;
  let resumed: Promise<void> | undefined;
  return () => {
    resumed ??= (async () => {
      const note = await publisher.latest(origin);
      if (note === undefined) return;
      const checkpoint = parseCheckpoint(openNote(note, signer.verifierKey).text);
      if (checkpoint.origin !== origin) throw new MalformedTransparencyTextError('checkpoint', 'origin', 'is not the origin of this checkpointer');
      const size = await log.catchUp({ upTo: checkpoint.size });
      if (size < checkpoint.size) throw new CheckpointMismatchError(origin, checkpoint.size, 'log_shorter', size);
      if (!sameHash(log.tree.rootAt(checkpoint.size), checkpoint.root)) throw new CheckpointMismatchError(origin, checkpoint.size, 'root_mismatch', size);
      state.last = { note, checkpoint };
    })().catch((error: unknown) => {
      resumed = undefined;
      if (error instanceof CheckpointMismatchError) state.halted ??= error;
      throw error;
    });
    return resumed;
  };
}

/** The last checkpoint's last event must still be where it was read: a log cut and refilled behind it is caught here. */
async function checkLastLeaf(state: State, previous: Checkpoint): Promise<void> {
  const { log, store, origin } = state;
  const index = previous.size - 1;
  const leaf = log.leaf(index);
  if (!leaf) return;
  let found = false;
  for await (const record of store.readAll({ fromPosition: leaf.position, maxCount: 1 })) {
    found = record.position === leaf.position && record.id === leaf.eventId && sameHash(leafHash(leafDataOfRecord(record.data)), log.tree.leafHashAt(index));
  }
  if (!found) throw new CheckpointMismatchError(origin, previous.size, 'leaf_changed', index);
}

/** Signs and publishes a checkpoint of the tree's first `size` leaves, if that is more than the last; resolves to the latest. */
async function sign(state: State, size: number): Promise<SignedCheckpoint | undefined> {
  const { log, last, origin } = state;
  if (size === 0 || (last && size <= last.checkpoint.size)) return last;
  const root = log.tree.rootAt(size);
  if (last) {
    const previous = last.checkpoint;
    await checkLastLeaf(state, previous);
    const proof = log.tree.consistencyProof(previous.size, size);
    if (!verifyConsistency(previous.size, size, proof, previous.root, root).ok) throw new CheckpointMismatchError(origin, previous.size, 'not_consistent', size);
  }
  const checkpoint: Checkpoint = { origin, size, root };
  const note = await signNote(formatCheckpoint(checkpoint), [state.signer]);
  // Only a published checkpoint counts: one signed but lost in a crash before this line was handed to no one.
  await state.publisher.publish(note, checkpoint);
  state.last = { note, checkpoint };
  return state.last;
}
