import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCheckpoint } from './checkpoint';
import type { VerifierKey } from './keys';
import { openNote } from './note';
import { judgeCheckpoint, type WitnessJudgement } from './witness';

export type WitnessOutcome = WitnessJudgement & { readonly origin: string; readonly size: number };

export interface FolderWitnessOptions {
  /** The keys of the logs this witness follows: a checkpoint not signed by one of them is refused. */
  readonly verifierKeys: string | VerifierKey | readonly (string | VerifierKey)[];
}

export interface FolderWitness {
  readonly folder: string;
  /** The signed checkpoint held for `origin`, verbatim, or undefined. */
  held(origin: string): Promise<string | undefined>;
  /**
   * Offers a signed checkpoint, with the consistency proof from the one held for its
   * origin. Its signature must verify (`BadSignatureError`, `UnknownKeyError` otherwise,
   * and nothing changes); it replaces the held one only when `judgeCheckpoint` accepts it.
   */
  offer(note: string, proof?: readonly Uint8Array[]): Promise<WitnessOutcome>;
}

/** The file a witness keeps an origin's latest checkpoint in: one file per origin, its name escaped. */
export const witnessFileName = (origin: string) => `${encodeURIComponent(origin)}.checkpoint`;

/**
 * A witness that keeps, in a folder, the latest checkpoint it accepted for each log.
 * A new one is written to a temporary file, fsynced and renamed over the old one, so a
 * crash leaves either checkpoint, never half of one. The held file is opened with the
 * keys again on every offer: a file altered in the folder is refused, not trusted.
 * One witness process per folder: two offering at once could each accept from the same held checkpoint.
 */
export function createFolderWitness(folder: string, { verifierKeys }: FolderWitnessOptions): FolderWitness {
  async function held(origin: string): Promise<string | undefined> {
    try {
      return await readFile(join(folder, witnessFileName(origin)), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async function keep(origin: string, note: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    const target = join(folder, witnessFileName(origin));
    const temporary = join(folder, `.${witnessFileName(origin)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(note);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  return {
    folder,
    held,
    async offer(note, proof) {
      const next = parseCheckpoint(openNote(note, verifierKeys).text);
      const previous = await held(next.origin);
      const kept = previous === undefined ? undefined : parseCheckpoint(openNote(previous, verifierKeys).text);
      const judgement = judgeCheckpoint(kept, next, proof);
      if (judgement.accepted && judgement.reason !== 'same') await keep(next.origin, note);
      return { ...judgement, origin: next.origin, size: next.size };
    },
  };
}
