import { z } from 'zod';
import { parseOrThrow } from '../errors';
import type { EventStore, Subscription } from '../store';
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
  /** How often a store without `subscribeToAll` is read for new events. */
  pollMs: z.number().int().min(1).default(1_000),
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

/**
 * Signs a C2SP checkpoint of the log every `every` events or `intervalMs` milliseconds
 * when it grew, and hands it to the publisher. Its tree grows one leaf at a time, so a
 * checkpoint costs O(log n) hashes. It never signs two inconsistent checkpoints: each new
 * tree must extend the last published one (checked with a consistency proof, and by
 * re-reading that checkpoint's last event where the store holds it now), and on start it
 * rebuilds the tree and requires the latest published root.
 */
export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { store, signer, publisher, onError } = options;
  const { origin, every, intervalMs, pollMs } = parseOrThrow(Settings, options, 'checkpointer');
  // An origin a checkpoint cannot hold (a line break, a control character) is refused now, not at the first signing.
  formatCheckpoint({ origin, size: 0, root: new Uint8Array(32) });
  const log = createLogTree(store);
  let last: SignedCheckpoint | undefined;
  let resumed: Promise<void> | undefined;
  let halted: unknown;
  let queue: Promise<unknown> = Promise.resolve();
  let subscription: Subscription | undefined;
  const timers: NodeJS.Timeout[] = [];
  let running = false;

  /** One thing at a time: catching up, signing and publishing never interleave. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const turn = queue.then(() => {
      if (halted !== undefined) throw halted;
      return work();
    });
    queue = turn.catch(() => undefined);
    return turn;
  }

  function report(error: unknown): void {
    if (error instanceof CheckpointMismatchError) {
      halted ??= error;
      void halt();
    }
    onError?.(error);
  }

  async function halt(): Promise<void> {
    running = false;
    for (const timer of timers.splice(0)) clearInterval(timer);
    const open = subscription;
    subscription = undefined;
    await open?.close();
  }

  function resume(): Promise<void> {
    resumed ??= (async () => {
      const note = await publisher.latest(origin);
      if (note === undefined) return;
      const checkpoint = parseCheckpoint(openNote(note, signer.verifierKey).text);
      if (checkpoint.origin !== origin) throw new MalformedTransparencyTextError('checkpoint', 'origin', 'is not the origin of this checkpointer');
      const size = await log.catchUp({ upTo: checkpoint.size });
      if (size < checkpoint.size) throw new CheckpointMismatchError(origin, checkpoint.size, 'log_shorter', size);
      if (!sameHash(log.tree.rootAt(checkpoint.size), checkpoint.root)) throw new CheckpointMismatchError(origin, checkpoint.size, 'root_mismatch', size);
      last = { note, checkpoint };
    })().catch((error: unknown) => {
      resumed = undefined;
      if (error instanceof CheckpointMismatchError) halted ??= error;
      throw error;
    });
    return resumed;
  }

  /** The last checkpoint's last event must still be where it was read: a log cut and refilled behind it is caught here. */
  async function checkLastLeaf(previous: Checkpoint): Promise<void> {
    const index = previous.size - 1;
    const leaf = log.leaf(index);
    if (!leaf) return;
    let found = false;
    for await (const record of store.readAll({ fromPosition: leaf.position, maxCount: 1 })) {
      found = record.position === leaf.position && record.id === leaf.eventId && sameHash(leafHash(leafDataOfRecord(record.data)), log.tree.leafHashAt(index));
    }
    if (!found) throw new CheckpointMismatchError(origin, previous.size, 'leaf_changed', index);
  }

  async function sign(): Promise<SignedCheckpoint | undefined> {
    const size = log.size;
    if (size === 0 || (last && size <= last.checkpoint.size)) return last;
    const root = log.tree.root();
    if (last) {
      const previous = last.checkpoint;
      await checkLastLeaf(previous);
      const proof = log.tree.consistencyProof(previous.size, size);
      if (!verifyConsistency(previous.size, size, proof, previous.root, root).ok) throw new CheckpointMismatchError(origin, previous.size, 'not_consistent', size);
    }
    const checkpoint: Checkpoint = { origin, size, root };
    const note = await signNote(formatCheckpoint(checkpoint), [signer]);
    // Only a published checkpoint counts: one signed but lost in a crash before this line was handed to no one.
    await publisher.publish(note, checkpoint);
    last = { note, checkpoint };
    return last;
  }

  const due = () => log.size - (last?.checkpoint.size ?? 0) >= every;
  const grown = () => log.size > (last?.checkpoint.size ?? 0);

  function follow(): void {
    const subscribe = store.subscribeToAll?.bind(store);
    if (subscribe) {
      const from = log.size > 0 ? log.leaf(log.size - 1)?.position : undefined;
      subscription = subscribe(from === undefined ? {} : { fromPosition: from }, async (record) => {
        log.add(record);
        if (due()) await serial(sign).catch(report);
      });
      subscription.done.catch((error: unknown) => {
        if (running) report(error);
      });
    } else {
      let reading = false;
      timers.push(
        setInterval(() => {
          // A slow read is not queued again behind itself.
          if (reading) return;
          reading = true;
          serial(async () => {
            await log.catchUp();
            if (due()) await sign();
          })
            .catch(report)
            .finally(() => {
              reading = false;
            });
        }, pollMs),
      );
    }
    timers.push(
      setInterval(() => {
        if (grown()) serial(sign).catch(report);
      }, intervalMs),
    );
    for (const timer of timers) timer.unref();
  }

  return {
    log,
    latest: () => last,
    async start() {
      if (running) return;
      await serial(resume);
      running = true;
      follow();
    },
    async stop() {
      await halt();
      await queue;
    },
    checkpointNow: () =>
      serial(async () => {
        await resume();
        await log.catchUp();
        return sign();
      }),
  };
}
