import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFileKeyStore, type KeyStore } from '@custodian/core';
import { UsageError } from './usage';

export const MASTER_KEY_ENV = 'CUSTODIAN_MASTER_KEY';

/** The CLI only reads: it never creates or destroys a subject's key. */
class ReadOnlyKeyStoreError extends Error {
  constructor(operation: string) {
    super(`custodian only reads keys; it does not ${operation} them`);
  }
}

/** A key folder opened for reading, from `--keys <dir>` and the master key in the environment. */
export function openKeyStore(directory: string, env: Readonly<Record<string, string | undefined>>, cwd: string, command: string): KeyStore & { directory: string } {
  const path = resolve(cwd, directory);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`no key folder at ${path}`, command);
  const hex = env[MASTER_KEY_ENV];
  if (hex === undefined || hex === '') throw new UsageError(`--keys needs the master key in the environment variable ${MASTER_KEY_ENV} (64 hex characters)`, command);
  // Never echo the value: it is the secret that opens every key.
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError(`${MASTER_KEY_ENV} must be 64 hex characters (32 bytes)`, command);
  const files = createFileKeyStore({ directory: path, masterKey: Buffer.from(hex, 'hex') });
  return {
    directory: path,
    get: (subjectId) => files.get(subjectId),
    getOrCreate: () => Promise.reject(new ReadOnlyKeyStoreError('create')),
    destroy: () => Promise.reject(new ReadOnlyKeyStoreError('destroy')),
  };
}

/** No keys at all: every value exports as null. */
export const noKeys: KeyStore = {
  get: () => Promise.resolve(undefined),
  getOrCreate: () => Promise.reject(new ReadOnlyKeyStoreError('create')),
  destroy: () => Promise.reject(new ReadOnlyKeyStoreError('destroy')),
};
