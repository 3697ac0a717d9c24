import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors';
import { KEY_BYTES, KeyDestroyedError, KeyFileCorruptError, KeyFileUnreadableError, KeyFolderInsecureError, KeyUnwrapFailedError, newDataKey, type KeyStore } from './key-store';
import { ownCopy } from './random-pool';

export interface FileKeyStoreOptions {
  /** The folder holding one file per subject. Created (mode 0700) if missing, tightened to 0700 if open to others. */
  directory: string;
  /** 32 bytes that wrap every data key (AES-256-GCM). Keep it outside this folder: in a KMS, a secret manager. */
  masterKey: Uint8Array;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;

/** What a subject's key file holds once the tombstone has been checked after reading it. */
type Found = Buffer | 'absent' | 'destroyed';

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

async function prepareDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const { mode } = await stat(directory);
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(directory, 0o700);
  } catch (error) {
    throw new KeyFolderInsecureError(directory, `0${(mode & 0o777).toString(8)}`, errnoOf(error) ?? 'chmod failed');
  }
}

/**
 * Data keys in files, one per subject (`<sha256 of the subject id>.key`), each wrapped
 * with the master key and bound to its subject id. The folder is kept at mode 0700 and
 * every file at 0600.
 *
 * Destroying is an erasure fence, in this process and in every process sharing the
 * folder (on a local file system, whose renames and links are atomic):
 *
 * - `destroy` first writes and fsyncs a tombstone (`<hash>.destroyed`), which is never
 *   removed. Every read checks it after reading the key file, so a key is returned only
 *   if its bytes were read before the destruction began; `getOrCreate` then refuses.
 * - A creator announces itself with its temp file before it checks the tombstone, and
 *   links the temp file to the key's name (which fails if a key is there). `destroy`,
 *   after the tombstone, takes every temp file of the subject away and only then takes
 *   the key. So a creator either sees the tombstone and stops, or had its temp file
 *   taken, so its link fails, or linked before the key was taken, so its key is taken
 *   with it. After `destroy` resolves no key file exists and none can appear.
 * - A file is taken away by renaming it first, then overwriting its blocks in place
 *   with zeros (no truncation), fsyncing and unlinking. Nothing is overwritten before
 *   the tombstone exists, so a reader that still caught the bytes sees the tombstone
 *   and reports the key destroyed, never a half-overwritten key.
 */
export function createFileKeyStore(options: FileKeyStoreOptions): KeyStore {
  if (!(options.masterKey instanceof Uint8Array) || options.masterKey.byteLength !== KEY_BYTES)
    throw new ValidationError('FileKeyStore', [{ path: 'masterKey', message: `must be ${KEY_BYTES} bytes` }]);
  const { directory } = options;
  const masterKey = ownCopy(options.masterKey);
  const ready = prepareDirectory(directory);
  // The first operation reports a folder that could not be prepared; until then it must not crash the process.
  ready.catch(() => undefined);
  const creating = new Map<string, Promise<Uint8Array>>();
  /** Per-subject queue: this process creates and destroys one subject's key one step at a time. */
  const queues = new Map<string, Promise<void>>();
  /** Subjects whose destruction began in this process and has not yet completed on disk. */
  const fenced = new Set<string>();

  const nameOf = (subjectId: string) => createHash('sha256').update(subjectId).digest('hex');
  const pathOf = (name: string, suffix: string) => join(directory, `${name}.${suffix}`);
  const uniqueSuffix = (kind: 'tmp' | 'shred') => `${randomBytes(8).toString('hex')}.${kind}`;

  function serially<T>(subjectId: string, task: () => Promise<T>): Promise<T> {
    const run = (queues.get(subjectId) ?? Promise.resolve()).then(task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(subjectId, settled);
    void settled.then(() => {
      if (queues.get(subjectId) === settled) queues.delete(subjectId);
    });
    return run;
  }

  function wrap(subjectId: string, key: Uint8Array): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
    cipher.setAAD(Buffer.from(subjectId));
    return Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  }

  function unwrap(subjectId: string, file: string, wrapped: Buffer): Buffer {
    if (wrapped.length !== WRAPPED_BYTES) throw new KeyFileCorruptError(subjectId, file, WRAPPED_BYTES, wrapped.length);
    const decipher = createDecipheriv('aes-256-gcm', masterKey, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(subjectId));
    decipher.setAuthTag(wrapped.subarray(IV_BYTES + KEY_BYTES));
    const plain = decipher.update(wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES));
    try {
      decipher.final();
      return ownCopy(plain);
    } catch {
      throw new KeyUnwrapFailedError(subjectId, file);
    } finally {
      plain.fill(0);
    }
  }

  async function tombstoned(subjectId: string, name: string): Promise<boolean> {
    if (fenced.has(subjectId)) return true;
    try {
      await lstat(pathOf(name, 'destroyed'));
      return true;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async function readKey(subjectId: string, name: string): Promise<Found> {
    let wrapped: Buffer | undefined;
    try {
      wrapped = await readFile(pathOf(name, 'key'));
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      if (await danglingLink(pathOf(name, 'key'))) throw new KeyFileUnreadableError(subjectId, `${name}.key`, 'a symbolic link to nothing');
    }
    // After the read: no tombstone now means the bytes were read before any destruction began.
    if (await tombstoned(subjectId, name)) return 'destroyed';
    return wrapped ? unwrap(subjectId, `${name}.key`, wrapped) : 'absent';
  }

  /** Whether `path` is a symbolic link whose target is missing: a name taken, that no read or link can use. */
  async function danglingLink(path: string): Promise<boolean> {
    try {
      return (await lstat(path)).isSymbolicLink();
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async function writeSynced(path: string, content: Buffer, flags: 'w' | 'wx'): Promise<void> {
    const handle = await open(path, flags, 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async function syncDirectory(): Promise<void> {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async function create(subjectId: string): Promise<Uint8Array> {
    await ready;
    const name = nameOf(subjectId);
    const found = await readKey(subjectId, name);
    if (found === 'destroyed') throw new KeyDestroyedError(subjectId);
    if (found !== 'absent') return found;
    const key = newDataKey();
    const temp = pathOf(name, uniqueSuffix('tmp'));
    // The temp file announces this creator before it checks the tombstone (see above).
    await writeSynced(temp, wrap(subjectId, key), 'wx');
    try {
      if (await tombstoned(subjectId, name)) throw new KeyDestroyedError(subjectId);
      await link(temp, pathOf(name, 'key'));
    } catch (error) {
      key.fill(0);
      const code = errnoOf(error);
      // ENOENT: a destruction took the temp file away.
      if (code === 'ENOENT' && (await tombstoned(subjectId, name))) throw new KeyDestroyedError(subjectId);
      if (code !== 'EEXIST') throw error;
      // Another creator's key is in place: that one is the subject's key.
      const theirs = await readKey(subjectId, name);
      if (theirs === 'destroyed') throw new KeyDestroyedError(subjectId);
      return theirs === 'absent' ? create(subjectId) : theirs;
    } finally {
      await rm(temp, { force: true });
    }
    await syncDirectory();
    if (await tombstoned(subjectId, name)) {
      key.fill(0);
      throw new KeyDestroyedError(subjectId);
    }
    return key;
  }

  /** Renames a file out of reach (unless it already is), overwrites its blocks in place with zeros, and unlinks it. */
  async function shred(name: string, file: string): Promise<void> {
    let path = join(directory, file);
    if (!file.endsWith('.shred')) {
      const away = pathOf(name, uniqueSuffix('shred'));
      try {
        await rename(path, away);
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return;
        throw error;
      }
      path = away;
    }
    let handle;
    try {
      // 'r+', not 'w': truncating first would free the blocks with the wrapped key still in them.
      handle = await open(path, 'r+');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size > 0) await handle.write(Buffer.alloc(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(path, { force: true });
  }

  async function destroyFiles(subjectId: string): Promise<void> {
    await ready;
    const name = nameOf(subjectId);
    await writeSynced(pathOf(name, 'destroyed'), Buffer.from(new Date().toISOString()), 'w');
    await syncDirectory();
    // Temp files first, then the key: a creator can link only a temp file it still has.
    // `.shred` files are left by a destruction that was cut short.
    const prefix = `${name}.`;
    for (const file of await readdir(directory)) {
      if (file.startsWith(prefix) && (file.endsWith('.tmp') || file.endsWith('.shred'))) await shred(name, file);
    }
    await shred(name, `${name}.key`);
    await syncDirectory();
  }

  return {
    getOrCreate(subjectId) {
      if (fenced.has(subjectId)) return Promise.reject(new KeyDestroyedError(subjectId));
      let pending = creating.get(subjectId);
      if (!pending) {
        pending = serially(subjectId, () => create(subjectId)).finally(() => creating.delete(subjectId));
        creating.set(subjectId, pending);
      }
      // Every caller gets a copy of its own, so none can change another's key.
      return pending.then(ownCopy);
    },
    async get(subjectId) {
      if (fenced.has(subjectId)) return undefined;
      await ready;
      const found = await readKey(subjectId, nameOf(subjectId));
      return typeof found === 'string' ? undefined : found;
    },
    async destroy(subjectId) {
      fenced.add(subjectId);
      await serially(subjectId, () => destroyFiles(subjectId));
      // The tombstone on disk is the fence from here on. Should destroying fail, the
      // subject stays fenced in this process: an erasure that was asked for is not undone.
      fenced.delete(subjectId);
    },
  };
}
