import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFileKeyStore, CustodianError, KeyUnwrapFailedError, type KeyStore } from '@custodian/core';
import { UsageError } from './usage';

export const MASTER_KEY_ENV = 'CUSTODIAN_MASTER_KEY';

/** The CLI's reading commands never create or destroy a subject's key (only `import` creates them, with a key store of its own). */
class ReadOnlyKeyStoreError extends CustodianError {
  readonly code = 'KEY_STORE_READ_ONLY';
  constructor(readonly operation: 'create' | 'destroy') {
    super(`custodian only reads keys; it does not ${operation} them`);
  }
}

/**
 * A key folder opened for reading, from `--keys <dir>` and the master key in the environment.
 * A key that does not unwrap is the user's to fix (most likely the wrong master key), so it
 * is a usage error; a corrupt key file (`KEY_FILE_CORRUPT`) is reported as it is.
 */
export function openKeyStore(directory: string, env: Readonly<Record<string, string | undefined>>, cwd: string, command: string): KeyStore & { directory: string } {
  const path = resolve(cwd, directory);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`no key folder at ${path}`, command);
  const files = createFileKeyStore({ directory: path, masterKey: masterKeyFrom(env, command) });
  return {
    directory: path,
    get: (subjectId) =>
      files.get(subjectId).catch((error: unknown) => {
        if (error instanceof KeyUnwrapFailedError)
          throw new UsageError(
            `the master key in ${MASTER_KEY_ENV} does not open the keys in ${path} (key file ${error.file}: the wrong master key, or the file was altered)`,
            command,
          );
        throw error;
      }),
    getOrCreate: () => Promise.reject(new ReadOnlyKeyStoreError('create')),
    destroy: () => Promise.reject(new ReadOnlyKeyStoreError('destroy')),
  };
}

/** The master key from the environment, checked; never echoed, since it is the secret that opens every key. */
function masterKeyFrom(env: Readonly<Record<string, string | undefined>>, command: string): Buffer {
  const hex = env[MASTER_KEY_ENV];
  if (hex === undefined || hex === '') throw new UsageError(`--keys needs the master key in the environment variable ${MASTER_KEY_ENV} (64 hex characters)`, command);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError(`${MASTER_KEY_ENV} must be 64 hex characters (32 bytes)`, command);
  return Buffer.from(hex, 'hex');
}

/** A key folder that is written to: `import` creates a key for each new customer (and the folder, if it is missing). */
export function openWritableKeyStore(directory: string, env: Readonly<Record<string, string | undefined>>, cwd: string, command: string): KeyStore {
  const path = resolve(cwd, directory);
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UsageError(`${path} is a file, not a key folder`, command);
  return createFileKeyStore({ directory: path, masterKey: masterKeyFrom(env, command) });
}

/** No keys at all: every value exports as null. */
export const noKeys: KeyStore = {
  get: () => Promise.resolve(undefined),
  getOrCreate: () => Promise.reject(new ReadOnlyKeyStoreError('create')),
  destroy: () => Promise.reject(new ReadOnlyKeyStoreError('destroy')),
};
