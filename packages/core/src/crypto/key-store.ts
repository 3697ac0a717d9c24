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
 * Where each subject's data key lives. It must be able to truly delete: destroying a
 * key is what erases the subject's values from every event that holds them.
 */
export interface KeyStore {
  /** The subject's 32-byte key, created on first use. Throws `KeyDestroyedError` once destroyed. */
  getOrCreate(subjectId: string): Promise<Uint8Array>;
  /** The subject's key, or undefined if it never existed or was destroyed. */
  get(subjectId: string): Promise<Uint8Array | undefined>;
  /** Destroys the key for good; later `get` returns undefined and `getOrCreate` refuses. */
  destroy(subjectId: string): Promise<void>;
}

export const KEY_BYTES = 32;

export function newDataKey(): Buffer {
  return randomBytesFromPool(KEY_BYTES);
}
