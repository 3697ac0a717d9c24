import { BadSignatureError, MalformedTransparencyTextError, UnknownKeyError } from './errors';
import { ed25519PublicKey, isValidKeyName, parseVerifierKey, verifyEd25519, type VerifierKey } from './keys';
import type { Signer } from './signer';
import { decodeBase64, encodeBase64 } from './text';

/** Far above what a checkpoint with its cosignatures needs; bounds the work a hostile note can cause. */
export const MAX_NOTE_BYTES = 1 << 20;
/** The spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';

export interface NoteSignature {
  readonly name: string;
  readonly keyId: string;
  /** The signature bytes after the 4-byte key id. */
  readonly signature: Uint8Array;
  /** The signature line as it stands, without its newline. */
  readonly line: string;
}

/** A note split into its text (with its final newline) and its signature lines, nothing verified. */
export interface SplitNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface OpenedNote {
  readonly text: string;
  /** Signatures by a known key, all verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys the verifier does not hold (witnesses, rotated keys): ignored, as the spec says. */
  readonly unverified: readonly NoteSignature[];
}

const bad = (field: string, problem: string) => new MalformedTransparencyTextError('signed note', field, problem);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function asText(note: string | Uint8Array): string {
  if (typeof note === 'string') {
    if (LONE_SURROGATE.test(note)) throw bad('text', 'is not valid Unicode');
    if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw bad('text', `is longer than ${MAX_NOTE_BYTES} bytes`);
    return note;
  }
  if (!(note instanceof Uint8Array)) throw bad('text', 'must be a string or bytes');
  if (note.byteLength > MAX_NOTE_BYTES) throw bad('text', `is longer than ${MAX_NOTE_BYTES} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    throw bad('text', 'is not valid UTF-8');
  }
}

function checkedText(note: string | Uint8Array): string {
  const message = asText(note);
  if (/[\x00-\x09\x0b-\x1f]/.test(message)) throw bad('text', 'holds a control character other than newline');
  return message;
}

/** Splits a signed note at its last blank line and parses every signature line, refusing anything malformed. */
export function splitNote(note: string | Uint8Array): SplitNote {
  const message = checkedText(note);
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw bad('text', 'has no blank line before its signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw bad('signatures', 'must be one or more lines, each ending with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw bad('signatures', `number more than ${MAX_NOTE_SIGNATURES}`);
  const signatures = lines.map((line, i) => {
    const field = `signature line ${i + 1}`;
    if (!line.startsWith(SIGNATURE_PREFIX)) throw bad(field, 'must start with an em dash and a space');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) throw bad(field, 'must be a key name, a space and a base64 signature');
    const name = rest.slice(0, space);
    if (!isValidKeyName(name)) throw bad(field, 'has a key name that is empty or holds spaces or plus signs');
    const raw = decodeBase64(rest.slice(space + 1));
    if (raw === undefined) throw bad(field, 'has a signature that is not standard padded base64');
    if (raw.length < 5) throw bad(field, 'has a signature shorter than a key id and one byte');
    return { name, keyId: raw.subarray(0, 4).toString('hex'), signature: raw.subarray(4), line };
  });
  return { text, signatures };
}

type Keys = string | VerifierKey | readonly (string | VerifierKey)[];

function keyList(keys: Keys): VerifierKey[] {
  const list = (Array.isArray(keys) ? keys : [keys]) as (string | VerifierKey)[];
  const parsed = list.map((key) => (typeof key === 'string' ? parseVerifierKey(key) : key));
  const ids = new Set(parsed.map((key) => `${key.name}+${key.keyId}`));
  if (ids.size !== parsed.length) throw new MalformedTransparencyTextError('verifier key', 'keys', 'hold two keys with the same name and key id');
  return parsed;
}

/**
 * Opens a signed note with the verifier keys one trusts. A signature by a known key
 * (same name and key id) must verify, or the whole note is refused (BadSignatureError);
 * signatures by other keys are set aside; with no signature by a known key the note's
 * text means nothing (UnknownKeyError).
 */
export function openNote(note: string | Uint8Array, keys: Keys): OpenedNote {
  const { text, signatures } = splitNote(note);
  const known = new Map(keyList(keys).map((key) => [`${key.name}+${key.keyId}`, key]));
  const message = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const signature of signatures) {
    const key = known.get(`${signature.name}+${signature.keyId}`);
    if (key === undefined) {
      unverified.push(signature);
      continue;
    }
    if (!verifyEd25519(ed25519PublicKey(key.publicKey), message, signature.signature)) throw new BadSignatureError(signature.name, signature.keyId);
    verified.push(signature);
  }
  if (verified.length === 0) throw new UnknownKeyError(unverified.map(({ name, keyId }) => ({ name, keyId })));
  return { text, verified, unverified };
}

/**
 * Signs a note text (which must end with a newline) with each signer, keeping any
 * signature lines passed in `keep` (a witness's cosignature, say) that are not by those
 * signers. Each new signature is checked against its signer's verifier key before it
 * is handed out, so a misconfigured KMS or key file cannot publish a broken note.
 */
export async function signNote(text: string, signers: readonly Signer[], keep: readonly NoteSignature[] = []): Promise<string> {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw bad('text', 'must end with a newline');
  checkedText(text);
  const message = Buffer.from(text, 'utf8');
  const ids = new Set(signers.map((signer) => `${signer.name}+${signer.keyId}`));
  const lines = keep.filter((signature) => !ids.has(`${signature.name}+${signature.keyId}`)).map((signature) => signature.line);
  for (const signer of signers) {
    const key = parseVerifierKey(signer.verifierKey);
    if (key.name !== signer.name || key.keyId !== signer.keyId) throw new MalformedTransparencyTextError('signer key', 'verifier key', 'does not match the signer name and key id');
    const signature = await signer.sign(message);
    if (!verifyEd25519(ed25519PublicKey(key.publicKey), message, signature)) throw new BadSignatureError(signer.name, signer.keyId);
    lines.push(`${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(Buffer.concat([Buffer.from(signer.keyId, 'hex'), signature]))}`);
  }
  if (lines.length === 0) throw bad('signatures', 'need at least one signer');
  const note = `${text}\n${lines.join('\n')}\n`;
  splitNote(note);
  return note;
}
