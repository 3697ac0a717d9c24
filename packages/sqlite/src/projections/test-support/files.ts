import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary folder for database files, and a fresh path in it per call. */
export function tempFiles(prefix: string): { path(name?: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let count = 0;
  return {
    path: (name = `db-${++count}`) => join(dir, `${name}.db`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
