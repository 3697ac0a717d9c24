import { createHash, hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The `prevHash` of the first event of a stream. */
export const GENESIS_HASH = '0'.repeat(64);

const HASH_MEMBER_PREFIX = Buffer.from(',"hash":"');
const PREV_MEMBER_PREFIX = Buffer.from(',"prevHash":"');
const CLOSE = 0x7d; // '}'
const QUOTE = 0x22; // '"'
const HEX = 64;
/** `,"hash":"` + 64 hex + `"}` */
const HASH_SUFFIX = HASH_MEMBER_PREFIX.length + HEX + 2;
/** `,"prevHash":"` + 64 hex + `"` */
const PREV_SUFFIX = PREV_MEMBER_PREFIX.length + HEX + 1;

/*
 * The layout of a stored record, owned by this module alone:
 *
 *   {…canonical members…,"stream":"<stream>","prevHash":"<64 hex>","hash":"<64 hex>"}
 *
 * The canonical members are the canonical JSON of the event without `stream`, `prevHash`
 * and `hash` (keys sorted, so the top-level `id` is followed by `occurredAt`). The record's
 * place follows them: the stream it belongs to, then the hash of the record before it in
 * that stream. `hash` is SHA-256 over the record up to its hash member, closed with `}`, so
 * it covers the place too: a record copied into another stream still names its own.
 *
 * `hash` and `prevHash` sit at fixed offsets from the end, and the stream member ends where
 * `prevHash` begins, so each check compares bytes in place and nothing is re-serialised.
 */

/** The bytes a record of `stream` holds before its prevHash member: `,"stream":"<stream>"`. */
export function streamMember(stream: string): Buffer {
  return Buffer.from(`,"stream":${JSON.stringify(stream)}`);
}

/** Seals an event body (which must not hold `stream`, `prevHash` or `hash`) into its record in `stream`, linked to `prevHash`. */
export function sealRecord(body: Record<string, unknown>, stream: string, prevHash: string): { bytes: Buffer; hash: string } {
  const canonical = canonicalJson(body);
  const hashed = `${canonical.slice(0, -1)},"stream":${canonicalJson(stream)},"prevHash":"${prevHash}"}`;
  const digest = hash('sha256', hashed, 'hex');
  return { bytes: Buffer.from(`${hashed.slice(0, -1)},"hash":"${digest}"}`), hash: digest };
}

/** Whether `text` (ASCII) stands in `buf` at `at`. Plain loops: cheaper than a native call for a few dozen bytes. */
export function asciiAt(buf: Uint8Array, at: number, text: string): boolean {
  if (at < 0 || at + text.length > buf.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

const HASH_MEMBER = HASH_MEMBER_PREFIX.toString('latin1');
const PREV_MEMBER = PREV_MEMBER_PREFIX.toString('latin1');

/** The offsets of a record's hash and prevHash members, or undefined if it does not have the record shape. */
function locate(buf: Buffer): { hashAt: number; prevAt: number } | undefined {
  const end = buf.length;
  const hashAt = end - HASH_SUFFIX;
  const prevAt = hashAt - PREV_SUFFIX;
  const shaped =
    prevAt >= 1 &&
    buf[0] === 0x7b &&
    buf[end - 1] === CLOSE &&
    buf[end - 2] === QUOTE &&
    buf[hashAt - 1] === QUOTE &&
    asciiAt(buf, hashAt, HASH_MEMBER) &&
    asciiAt(buf, prevAt, PREV_MEMBER);
  return shaped ? { hashAt, prevAt } : undefined;
}

/**
 * Records are hashed cut before their hash member and closed with '}'. The store's buffer
 * is never written (it may be frozen, shared or read concurrently): the cut is copied into
 * this scratch buffer, closed there and hashed in one call. Hashing is synchronous, so no
 * two records meet in it. A copy of a few hundred bytes costs about what the write-and-restore
 * did; two `update` calls on a `createHash` cost more than twice as much.
 */
let scratch = Buffer.allocUnsafe(4096);
/** Past this a record is hashed in two updates rather than growing the scratch buffer for good. */
const SCRATCH_LIMIT = 64 * 1024;
const CLOSE_BYTE = Buffer.from([CLOSE]);

function digestAt(buf: Buffer, hashAt: number): string {
  if (hashAt >= SCRATCH_LIMIT) return createHash('sha256').update(buf.subarray(0, hashAt)).update(CLOSE_BYTE).digest('hex');
  if (scratch.length <= hashAt) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_LIMIT, 2 * (hashAt + 1)));
  buf.copy(scratch, 0, 0, hashAt);
  scratch[hashAt] = CLOSE;
  return hash('sha256', scratch.subarray(0, hashAt + 1), 'hex');
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** Whether the record names `member`'s stream (see `streamMember`): the bytes right before its prevHash member. */
function namesStream(buf: Buffer, prevAt: number, member: Buffer): boolean {
  const start = prevAt - member.length;
  return start >= 1 && buf.compare(member, 0, member.length, start, prevAt) === 0;
}

export type LinkFault = 'malformed' | 'hash_mismatch' | 'stream_mismatch' | 'prev_hash_mismatch';

/**
 * The audit's hot path: whether a stored record is intact, names the stream it is stored
 * in (`member`, from `streamMember`) and links to `prevHash`, returning its hash, or why
 * not. Comparisons are made on the bytes in place.
 */
export function checkLink(bytes: Uint8Array, member: Buffer, prevHash: string): { hash: string } | { reason: LinkFault } {
  const buf = asBuffer(bytes);
  const at = locate(buf);
  if (!at) return { reason: 'malformed' };
  const actual = digestAt(buf, at.hashAt);
  if (!asciiAt(buf, at.hashAt + HASH_MEMBER.length, actual)) return { reason: 'hash_mismatch' };
  if (!namesStream(buf, at.prevAt, member)) return { reason: 'stream_mismatch' };
  if (!asciiAt(buf, at.prevAt + PREV_MEMBER.length, prevHash)) return { reason: 'prev_hash_mismatch' };
  return { hash: actual };
}

export type RecordCheck =
  | { ok: true; prevHash: string; hash: string }
  | { ok: false; reason: 'malformed' | 'hash_mismatch' | 'stream_mismatch'; prevHash?: string; hash?: string };

/** Checks that a stored record's own hash matches its bytes and that it names `member`'s stream, and returns its links. */
export function checkRecord(bytes: Uint8Array, member: Buffer): RecordCheck {
  const buf = asBuffer(bytes);
  const at = locate(buf);
  if (!at) return { ok: false, reason: 'malformed' };
  const stored = buf.toString('latin1', at.hashAt + HASH_MEMBER.length, buf.length - 2);
  const prevHash = buf.toString('latin1', at.prevAt + PREV_MEMBER.length, at.hashAt - 1);
  if (digestAt(buf, at.hashAt) !== stored) return { ok: false, reason: 'hash_mismatch', prevHash, hash: stored };
  if (!namesStream(buf, at.prevAt, member)) return { ok: false, reason: 'stream_mismatch', prevHash, hash: stored };
  return { ok: true, prevHash, hash: stored };
}

/** The hash member a record holds, as stored and unchecked (the transparency log's leaf data); undefined if it does not have the record shape. */
export function storedHash(bytes: Uint8Array): string | undefined {
  const buf = asBuffer(bytes);
  const at = locate(buf);
  return at && buf.toString('latin1', at.hashAt + HASH_MEMBER.length, buf.length - 2);
}

const ID_MEMBER = '"id":"';
const AFTER_ID = Buffer.from('","occurredAt":"');
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Whether the record's top-level `id` is `id`. In canonical order the `id` member is
 * followed by `occurredAt`, and no member after it (occurredAt, recordedAt, schemaVersion,
 * subjectId, type, then the place) is called occurredAt or can hold an unescaped quote, so
 * the last `","occurredAt":"` closes the id: found from the end, no parse.
 */
export function holdsId(bytes: Uint8Array, id: string): boolean {
  const buf = asBuffer(bytes);
  if (!ASCII.test(id)) return buf.includes(`${ID_MEMBER}${JSON.stringify(id).slice(1, -1)}","occurredAt":"`);
  const end = buf.lastIndexOf(AFTER_ID);
  const start = end - id.length;
  return start >= ID_MEMBER.length && asciiAt(buf, start, id) && asciiAt(buf, start - ID_MEMBER.length, ID_MEMBER);
}
