import { CustodianError } from '../errors';
import { randomBytesFromPool } from './random-pool';

/** The subject's key was destroyed (the subject was erased); no new key is made for them. */
export class KeyDestroyedError extends CustodianError {
  readonly code = 'KEY_DESTROYED';
  constructor(readonly subjectId: string) {
    super(`the key of subject ${subjectId} was destroyed`);
  }
}

/**
 * A stored key did not unwrap: the master key is not the one it was wrapped with, or the
 * file was altered or belongs to another subject. AES-GCM cannot tell these apart.
 */
export class KeyUnwrapFailedError extends CustodianError {
  readonly code = 'KEY_UNWRAP_FAILED';
  constructor(
    readonly subjectId: string,
    /** The key file's name inside the key folder (a hash, never the key). */
    readonly file: string,
  ) {
    super(`the key file ${file} of subject ${subjectId} does not open with this master key (wrong master key, or the file was altered)`);
  }
}

/** A stored key file does not have the shape of a wrapped key: truncated, empty or padded. */
export class KeyFileCorruptError extends CustodianError {
  readonly code = 'KEY_FILE_CORRUPT';
  constructor(
    readonly subjectId: string,
    readonly file: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
  ) {
    super(`the key file ${file} of subject ${subjectId} is corrupt: ${actualBytes} bytes where a wrapped key has ${expectedBytes}`);
  }
}

/** The key folder is open to other users and could not be closed to its owner (mode 0700). */
/**
 * A subject's key file name is taken by something the store cannot read as a key file (a
 * symbolic link to nothing): reported, never taken for "no key", which would hide a key
 * folder tampered with and, on getOrCreate, retry a creation that can never succeed.
 */
export class KeyFileUnreadableError extends CustodianError {
  readonly code = 'KEY_FILE_UNREADABLE';
  constructor(
    readonly subjectId: string,
    readonly file: string,
    readonly reason: string,
  ) {
    super(`the key file ${file} of subject ${subjectId} cannot be read as a key file: ${reason}`);
  }
}

export class KeyFolderInsecureError extends CustodianError {
  readonly code = 'KEY_FOLDER_INSECURE';
  constructor(
    readonly directory: string,
    /** The folder's permission bits, e.g. `0755`. */
    readonly mode: string,
    readonly reason: string,
  ) {
    super(`the key folder ${directory} has mode ${mode}, open to group or others, and cannot be tightened to 0700: ${reason}`);
  }
}

/**
 * Where each subject's data key lives. It must be able to truly delete: destroying a
 * key is what erases the subject's values from every event that holds them.
 */
export interface KeyStore {
  /** The subject's 32-byte key, created on first use. Throws `KeyDestroyedError` once destroyed. */
  getOrCreate(subjectId: string): Promise<Uint8Array>;
  /** The subject's key, or undefined if it never existed or was destroyed. */
  get(subjectId: string): Promise<Uint8Array | undefined>;
  /**
   * Destroys the key for good. Once it has begun, `get` returns undefined and
   * `getOrCreate` refuses; once it has resolved, no copy of the key is left in the store.
   */
  destroy(subjectId: string): Promise<void>;
}

export const KEY_BYTES = 32;

export function newDataKey(): Buffer {
  return randomBytesFromPool(KEY_BYTES);
}
