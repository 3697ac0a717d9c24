import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, link, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors';
import { KEY_BYTES, KeyDestroyedError, newDataKey, type KeyStore } from './key-store';

export interface FileKeyStoreOptions {
  /** The folder holding one file per subject. Created if missing. */
  directory: string;
  /** 32 bytes that wrap every data key (AES-256-GCM). Keep it outside this folder: in a KMS, a secret manager. */
  masterKey: Uint8Array;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Data keys in files, one per subject, each wrapped with the master key and bound to
 * its subject id. Creation and destruction are fsynced (file and folder), so a key
 * acknowledged as destroyed stays destroyed after a crash. A destroyed key leaves a
 * tombstone, so no new key is ever made for an erased subject.
 */
export function createFileKeyStore(options: FileKeyStoreOptions): KeyStore {
  if (!(options.masterKey instanceof Uint8Array) || options.masterKey.byteLength !== KEY_BYTES)
    throw new ValidationError('FileKeyStore', [{ path: 'masterKey', message: `must be ${KEY_BYTES} bytes` }]);
  const { directory } = options;
  const masterKey = Buffer.from(options.masterKey);
  const ready = mkdir(directory, { recursive: true, mode: 0o700 });
  const inFlight = new Map<string, Promise<Uint8Array>>();

  const fileOf = (subjectId: string, suffix: string) => join(directory, `${createHash('sha256').update(subjectId).digest('hex')}.${suffix}`);

  function wrap(subjectId: string, key: Uint8Array): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
    cipher.setAAD(Buffer.from(subjectId));
    return Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  }

  function unwrap(subjectId: string, wrapped: Buffer): Uint8Array {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(subjectId));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
  }

  async function readKey(subjectId: string): Promise<Uint8Array | undefined> {
    try {
      return unwrap(subjectId, await readFile(fileOf(subjectId, 'key')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async function exists(path: string): Promise<boolean> {
    return readFile(path).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
  }

  async function syncFile(path: string, content: Buffer): Promise<void> {
    const handle = await open(path, 'w', 0o600);
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
    if (await exists(fileOf(subjectId, 'destroyed'))) throw new KeyDestroyedError(subjectId);
    const existing = await readKey(subjectId);
    if (existing) return existing;
    const key = newDataKey();
    const temp = fileOf(subjectId, `${randomBytes(6).toString('hex')}.tmp`);
    await syncFile(temp, wrap(subjectId, key));
    try {
      // link() fails if another process created the key first; then theirs is the key.
      await link(temp, fileOf(subjectId, 'key'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    await syncDirectory();
    return (await readKey(subjectId)) as Uint8Array;
  }

  return {
    getOrCreate(subjectId) {
      let pending = inFlight.get(subjectId);
      if (!pending) {
        pending = create(subjectId).finally(() => inFlight.delete(subjectId));
        inFlight.set(subjectId, pending);
      }
      return pending;
    },
    async get(subjectId) {
      await ready;
      return readKey(subjectId);
    },
    async destroy(subjectId) {
      await ready;
      await syncFile(fileOf(subjectId, 'destroyed'), Buffer.from(new Date().toISOString()));
      const path = fileOf(subjectId, 'key');
      if (await exists(path)) {
        // Overwrite before unlinking so the wrapped key does not linger in freed blocks of
        // simple file systems; copy-on-write and SSD wear levelling may still keep it,
        // which is why the key is wrapped with a master key kept elsewhere.
        await syncFile(path, Buffer.alloc(IV_BYTES + KEY_BYTES + TAG_BYTES));
        await rm(path, { force: true });
      }
      await syncDirectory();
    },
  };
}
