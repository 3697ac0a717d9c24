import { HASH_BYTES } from './hash';
import { MalformedTransparencyTextError } from './errors';
import { decodeBase64, encodeBase64, parseDecimal } from './text';

/** The body of a C2SP tlog-checkpoint: a log's tree head at one size. */
export interface Checkpoint {
  /** The log's identity, e.g. `example.com/log42`. */
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  /** Opaque extra lines; the spec advises against them. */
  readonly extensions?: readonly string[];
}

const bad = (field: string, problem: string) => new MalformedTransparencyTextError('checkpoint', field, problem);

/** `<origin>\n<size>\n<base64 root>\n` followed by any extension lines. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  if (checkpoint.origin.includes('\n')) throw bad('origin', 'must be one line');
  if ((checkpoint.extensions ?? []).some((line) => line.includes('\n'))) throw bad('extension line', 'must be one line');
  const text = [checkpoint.origin, String(checkpoint.size), encodeBase64(checkpoint.root), ...(checkpoint.extensions ?? [])].join('\n') + '\n';
  parseCheckpoint(text);
  return text;
}

/** Parses a checkpoint body (the text of its signed note), refusing anything the spec does not allow. */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw bad('text', 'must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || origin === '') throw bad('origin', 'must not be empty');
  if (size === undefined) throw bad('size', 'is missing');
  if (root === undefined) throw bad('root', 'is missing');
  const parsedSize = parseDecimal(size);
  if (parsedSize === undefined) throw bad('size', 'must be a decimal with no leading zeroes, at most 2^53 - 1');
  const parsedRoot = decodeBase64(root);
  if (parsedRoot === undefined) throw bad('root', 'must be standard padded base64');
  if (parsedRoot.length !== HASH_BYTES) throw bad('root', `must decode to ${HASH_BYTES} bytes`);
  if (/[\x00-\x1f]/.test(origin)) throw bad('origin', 'must not hold control characters');
  const extension = extensions.findIndex((line) => line === '' || /[\x00-\x1f]/.test(line));
  if (extension >= 0) throw bad(`extension line ${extension + 1}`, 'must be non-empty and hold no control characters');
  return extensions.length > 0 ? { origin, size: parsedSize, root: parsedRoot, extensions } : { origin, size: parsedSize, root: parsedRoot };
}
