import { buildLogTree, type Checkpoint, type LogTree } from '@custodian/core';
import type { CliIo } from '../io';
import type { OpenedStore } from '../open-store';
import { createProgress } from '../output/progress';

/** The log's tree over its first `size` events (fewer if it holds fewer), with a progress bar on a terminal. */
export async function logUpTo(opened: OpenedStore, size: number, io: CliIo, json: boolean): Promise<LogTree> {
  const progress = createProgress({ stream: io.stderr, label: 'Hashing', total: Math.min(size, opened.countEvents?.() ?? size), enabled: !json, delayMs: io.progressDelayMs });
  const log = await buildLogTree(opened.store, { upTo: size, onProgress: (done) => progress.update(done) });
  progress.finish();
  return log;
}

/** Why the log cannot stand behind the checkpoint, in plain words; undefined when its first `size` events hash to the root. */
export function logMismatch(log: LogTree, checkpoint: Checkpoint, label: string): string | undefined {
  if (log.size < checkpoint.size)
    return `${label} holds ${log.size} events, fewer than the ${checkpoint.size} of the checkpoint of ${checkpoint.origin}: it no longer matches it (run 'custodian verify --checkpoint')`;
  if (Buffer.compare(Buffer.from(log.tree.rootAt(checkpoint.size)), Buffer.from(checkpoint.root)) !== 0)
    return `the first ${checkpoint.size} events of ${label} do not hash to the root of the checkpoint of ${checkpoint.origin}: the log no longer matches it (run 'custodian verify --checkpoint')`;
  return undefined;
}
