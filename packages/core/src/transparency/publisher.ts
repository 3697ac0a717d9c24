import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from './checkpoint';
import { CheckpointConflictError } from './errors';

/**
 * Where signed checkpoints go once signed: a folder to start, a witness service or a
 * transparency log of logs later. The checkpointer keeps its last signed checkpoint here,
 * so a publisher must be durable: `publish` resolves only once the note is safe.
 */
export interface Publisher {
  /** Records a signed checkpoint. A different note of a size already published is a fork: `CheckpointConflictError`. */
  publish(note: string, checkpoint: Checkpoint): Promise<void>;
  /** The signed note of the largest checkpoint published for the origin, verbatim, or undefined. */
  latest(origin: string): Promise<string | undefined>;
}

const CHECKPOINT_FILE = /^(0|[1-9][0-9]*)\.checkpoint$/;

/** A folder name for an origin, one to one: every byte but letters, digits, `.`, `_` and `-` is %-escaped, and a leading dot too. */
export function originFolderName(origin: string): string {
  const escaped = [...Buffer.from(origin, 'utf8')]
    .map((byte) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return escaped.startsWith('.') ? `%2E${escaped.slice(1)}` : escaped;
}

// Not `instanceof Error`: errors from node:fs may come from another realm (a test runner's).
const isNodeError = (error: unknown, code: string): boolean => typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;

async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * An append-only folder of checkpoints: `<folder>/<origin>/<size>.checkpoint`, each the
 * signed note verbatim. A file is written under a temporary name, synced, then hard-linked
 * to its name, which fails if the name exists: a published checkpoint is never replaced,
 * and a crash leaves either the whole file or none.
 */
export function createFolderPublisher(folder: string): Publisher {
  return {
    async publish(note, checkpoint) {
      const dir = join(folder, originFolderName(checkpoint.origin));
      await mkdir(dir, { recursive: true });
      const name = join(dir, `${checkpoint.size}.checkpoint`);
      const temp = join(dir, `.${checkpoint.size}.${randomUUID()}.tmp`);
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(note, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, name);
      } catch (error) {
        if (!isNodeError(error, 'EEXIST')) throw error;
        // The same note again (a retried publish) is no change; another one is a fork.
        if ((await readFile(name, 'utf8')) !== note) throw new CheckpointConflictError(checkpoint.origin, checkpoint.size);
      } finally {
        await unlink(temp);
      }
      await syncFolder(dir);
    },
    async latest(origin) {
      const dir = join(folder, originFolderName(origin));
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if (isNodeError(error, 'ENOENT')) return undefined;
        throw error;
      }
      const sizes = names.flatMap((name) => {
        const match = CHECKPOINT_FILE.exec(name);
        return match ? [Number(match[1])] : [];
      });
      if (sizes.length === 0) return undefined;
      return readFile(join(dir, `${sizes.reduce((a, b) => Math.max(a, b))}.checkpoint`), 'utf8');
    },
  };
}

/** A publisher in memory, for tests and for services that hand checkpoints on by other means. */
export function createInMemoryPublisher(): Publisher & { published(origin: string): readonly string[] } {
  const notes = new Map<string, Map<number, string>>();
  return {
    async publish(note, checkpoint) {
      const bySize = notes.get(checkpoint.origin) ?? new Map<number, string>();
      const held = bySize.get(checkpoint.size);
      if (held !== undefined && held !== note) throw new CheckpointConflictError(checkpoint.origin, checkpoint.size);
      bySize.set(checkpoint.size, note);
      notes.set(checkpoint.origin, bySize);
    },
    async latest(origin) {
      const bySize = notes.get(origin);
      if (!bySize || bySize.size === 0) return undefined;
      return bySize.get([...bySize.keys()].reduce((a, b) => Math.max(a, b)));
    },
    published(origin) {
      return [...(notes.get(origin) ?? new Map<number, string>()).entries()].sort(([a], [b]) => a - b).map(([, note]) => note);
    },
  };
}
