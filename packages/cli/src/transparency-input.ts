import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCheckpoint, parseVerifierKey, splitNote, type Checkpoint, type VerifierKey } from '@custodian/core';
import { UsageError } from './usage';

/** Bounds what a command reads from a file it is handed: a checkpoint, proof or key is a few hundred bytes. */
const MAX_INPUT_BYTES = 1 << 20;

/** The text of a file named by an option; a missing file, a folder or a huge file is a usage error. */
export function readInputFile(cwd: string, path: string, what: string, command: string): string {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new UsageError(`no ${what} file at ${full}`, command);
  const stats = statSync(full);
  if (stats.isDirectory()) throw new UsageError(`${full} is a folder, not a ${what} file`, command);
  if (stats.size > MAX_INPUT_BYTES) throw new UsageError(`${full} is larger than a ${what} can be (${MAX_INPUT_BYTES} bytes)`, command);
  return readFileSync(full, 'utf8');
}

/** One signed checkpoint file, or every file of a folder of them (a publisher's or witness's), hidden files aside. */
export function readCheckpointNotes(cwd: string, path: string, command: string): { readonly files: readonly string[]; readonly notes: readonly string[] } {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new UsageError(`no checkpoint file or folder at ${full}`, command);
  if (!statSync(full).isDirectory()) return { files: [full], notes: [readInputFile(cwd, full, 'checkpoint', command)] };
  const files = readdirSync(full)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => join(full, name))
    .filter((file) => statSync(file).isFile());
  if (files.length === 0) throw new UsageError(`the folder ${full} holds no checkpoint`, command);
  return { files, notes: files.map((file) => readInputFile(cwd, file, 'checkpoint', command)) };
}

/**
 * Verifier keys from `--public-key`: the key itself (`name+hexid+base64`), or a file of
 * them, one a line. Malformed keys are `MalformedTransparencyTextError`s.
 */
export function readVerifierKeys(cwd: string, value: string, command: string): VerifierKey[] {
  const full = resolve(cwd, value);
  const looksLikeKey = /^[^\s+]+\+[0-9a-f]{8}\+/.test(value);
  const text = !looksLikeKey && existsSync(full) ? readInputFile(cwd, value, 'verifier key', command) : value;
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) throw new UsageError(`--public-key names no verifier key`, command);
  if (!looksLikeKey && !existsSync(full) && !value.includes('+'))
    throw new UsageError(`no verifier key file at ${full}, and ${JSON.stringify(value)} is not a verifier key`, command);
  return lines.map((line) => parseVerifierKey(line));
}

/** A checkpoint's body, its signature not checked: for commands that only compute from it (prove, consistency). */
export function checkpointBody(note: string): Checkpoint {
  return parseCheckpoint(splitNote(note).text);
}
