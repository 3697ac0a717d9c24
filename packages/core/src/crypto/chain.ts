import { createHash, hash } from 'node:crypto';
import { canonicalJson, canonicalJsonWithout } from './canonical-json';

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
 * The canonical members are the canonical JSON (canonical-json.ts: keys sorted, no
 * whitespace) of the event without its place members; for an event of the catalog they
 * are CANONICAL_MEMBERS, in that order. The place follows them: the stream the record
 * belongs to, then the hash of the record before it in that stream. `hash` is SHA-256 over
 * the record up to its hash member, closed with `}`, so it covers the place too: a record
 * copied into another stream still names its own.
 *
 * `hash` and `prevHash` sit at fixed offsets from the end, the stream member ends where
 * `prevHash` begins, and the id is found from the end (see holdsId), so each check
 * compares bytes in place and nothing is re-serialised.
 */

/**
 * The top-level members of an event's record before its place, in the order its bytes
 * hold them (sorted: canonical JSON). The in-place lookups rely on two facts of this order:
 * `id` is followed by `occurredAt`, a string every event has, and every member after `id`
 * is a string or a number, so no object after it can hold a decoy. events/envelope.test.ts
 * checks EnvelopeMeta against this list: a new envelope field is added here, and one that
 * sorts after `id` must keep both facts or holdsId must change with it.
 */
export const CANONICAL_MEMBERS = ['actor', 'backfill', 'causationId', 'correlationId', 'data', 'id', 'occurredAt', 'recordedAt', 'schemaVersion', 'subjectId', 'type'] as const;

/** The members that give a record its place, written after the canonical members in this order. */
export const PLACE_MEMBERS = ['stream', 'prevHash', 'hash'] as const;
const PLACE = new Set<string>(PLACE_MEMBERS);

/** The bytes a record of `stream` holds before its prevHash member: `,"stream":"<stream>"`. */
export function streamMember(stream: string): Buffer {
  return Buffer.from(`,"stream":${JSON.stringify(stream)}`);
}

/**
 * Seals an event into its record in `stream`, linked to `prevHash`. Its own place members
 * (`stream`, `prevHash`, `hash`), if it has them, are left out of the canonical members:
 * the record's place is the one given here.
 */
export function sealRecord(event: object, stream: string, prevHash: string): { bytes: Buffer; hash: string } {
  const canonical = canonicalJsonWithout(event, PLACE);
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
  // A record too short for its place fails here too: `{` cannot stand where prevHash's `,` must.
  const shaped =
    buf[0] === 0x7b && buf[end - 1] === CLOSE && buf[end - 2] === QUOTE && buf[hashAt - 1] === QUOTE && asciiAt(buf, hashAt, HASH_MEMBER) && asciiAt(buf, prevAt, PREV_MEMBER);
  return shaped ? { hashAt, prevAt } : undefined;
}

/**
 * Records are hashed cut before their hash member and closed with '}'. The store's buffer
 * is never written (it may be frozen, shared or read concurrently): the record is copied
 * into this scratch array, closed there and hashed in one call. Hashing is synchronous, so
 * no two records meet in it. Over 200,000 records of 600 bytes the copy costs about what
 * writing and restoring the store's byte did; two `update` calls on a `createHash` cost
 * one and a half to two and a half times as much.
 */
const SCRATCH_LIMIT = 64 * 1024;
/** Made once at its full size: 64 KiB per thread, where growing it on demand would only add a branch to the hot path. */
const scratch = new Uint8Array(SCRATCH_LIMIT);
const CLOSE_BYTE = Uint8Array.of(CLOSE);

/** The SHA-256 of the record cut at `hashAt` and closed; a record past the scratch array is hashed in two updates. */
function digestAt(buf: Buffer, hashAt: number, encoding: 'hex' | 'binary'): string {
  if (buf.length > SCRATCH_LIMIT) return createHash('sha256').update(buf.subarray(0, hashAt)).update(CLOSE_BYTE).digest(encoding);
  scratch.set(buf);
  scratch[hashAt] = CLOSE;
  return hash('sha256', scratch.subarray(0, hashAt + 1), encoding);
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
  const actual = digestAt(buf, at.hashAt, 'hex');
  if (!asciiAt(buf, at.hashAt + HASH_MEMBER.length, actual)) return { reason: 'hash_mismatch' };
  if (!namesStream(buf, at.prevAt, member)) return { reason: 'stream_mismatch' };
  if (!asciiAt(buf, at.prevAt + PREV_MEMBER.length, prevHash)) return { reason: 'prev_hash_mismatch' };
  return { hash: actual };
}

export type RecordCheck = { ok: true; prevHash: string; hash: string } | { ok: false; reason: 'malformed' | 'hash_mismatch' | 'stream_mismatch'; prevHash?: string; hash?: string };

/** Checks that a stored record's own hash matches its bytes and that it names `member`'s stream, and returns its links. */
export function checkRecord(bytes: Uint8Array, member: Buffer): RecordCheck {
  const buf = asBuffer(bytes);
  const at = locate(buf);
  if (!at) return { ok: false, reason: 'malformed' };
  const stored = buf.toString('latin1', at.hashAt + HASH_MEMBER.length, buf.length - 2);
  const prevHash = buf.toString('latin1', at.prevAt + PREV_MEMBER.length, at.hashAt - 1);
  if (digestAt(buf, at.hashAt, 'hex') !== stored) return { ok: false, reason: 'hash_mismatch', prevHash, hash: stored };
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
const FOLLOWS_ID = CANONICAL_MEMBERS[CANONICAL_MEMBERS.indexOf('id') + 1];
const AFTER_ID = Buffer.from(`","${FOLLOWS_ID}":"`);
/** Ids JSON writes as they are (printable ASCII without `"` and `\`), compared without a copy. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Whether the record's top-level `id` is `id`, found from the end without a parse. By
 * CANONICAL_MEMBERS the `id` member is followed by `occurredAt`, and every member after it
 * is a string or a number: no string can hold `","occurredAt":"` (its quotes are escaped),
 * so the last one in the record closes the top-level id.
 */
export function holdsId(bytes: Uint8Array, id: string): boolean {
  const buf = asBuffer(bytes);
  const end = buf.lastIndexOf(AFTER_ID);
  if (PLAIN.test(id)) {
    // asciiAt refuses a place before the first byte, which is where a missing AFTER_ID (-1) puts it.
    const start = end - id.length;
    return asciiAt(buf, start, id) && asciiAt(buf, start - ID_MEMBER.length, ID_MEMBER);
  }
  const written = Buffer.from(JSON.stringify(id).slice(1, -1));
  const start = end - written.length;
  return start >= ID_MEMBER.length && buf.compare(written, 0, written.length, start, end) === 0 && asciiAt(buf, start - ID_MEMBER.length, ID_MEMBER);
}

/** Whether `utf8[start, end)` holds only bytes JSON writes as they are: what PLAIN says of a string. */
function plainBytes(utf8: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = utf8[i] as number;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * holdsId for an id given as its UTF-8, `utf8[start, end)` (a verify batch's packed ids): a
 * plain id is compared byte for byte with no string made, and the search from the end starts
 * before the place members where the record has them (no id member can follow them).
 */
export function holdsIdUtf8(bytes: Uint8Array, utf8: Buffer, start: number, end: number): boolean {
  if (!plainBytes(utf8, start, end)) return holdsId(bytes, utf8.toString('utf8', start, end));
  const buf = asBuffer(bytes);
  const at = locate(buf);
  const after = at === undefined ? buf.lastIndexOf(AFTER_ID) : buf.lastIndexOf(AFTER_ID, at.prevAt);
  const idAt = after - (end - start);
  if (after < 0 || idAt < ID_MEMBER.length) return false;
  for (let i = 0; i < end - start; i++) if (buf[idAt + i] !== utf8[start + i]) return false;
  return asciiAt(buf, idAt - ID_MEMBER.length, ID_MEMBER);
}

/** The value of each lowercase hex digit by its byte, -1 for any other byte: a record's hashes are lowercase hex. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/** Decodes the 64 lowercase hex digits at `at` into the 32 bytes at `target[offset]`; false (target partly written) if one is not. */
function decodeHex(buf: Uint8Array, at: number, target: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) {
    const high = HEX_VALUE[buf[at + 2 * i] as number] as number;
    const low = HEX_VALUE[buf[at + 2 * i + 1] as number] as number;
    if ((high | low) < 0) return false;
    target[offset + i] = (high << 4) | low;
  }
  return true;
}

/**
 * The raw 32 bytes of a record's hash member, as stored and unchecked (the transparency log's
 * leaf data), written at `target[offset]` without a string or a Buffer made; false if the record
 * does not have the record shape or the member is not 64 lowercase hex digits.
 */
export function readStoredHash(bytes: Uint8Array, target: Uint8Array, offset: number): boolean {
  const at = locate(asBuffer(bytes));
  return at !== undefined && decodeHex(bytes, at.hashAt + HASH_MEMBER.length, target, offset);
}

const STREAM_MEMBER = ',"stream":"';

/** How a record names its stream: the stream itself when JSON writes it as it is, else its member's bytes (see `streamMember`). */
export type StreamName = string | Buffer;

export function streamName(stream: string): StreamName {
  return PLAIN.test(stream) ? stream : streamMember(stream);
}

function namesStreamName(buf: Buffer, prevAt: number, name: StreamName): boolean {
  if (typeof name !== 'string') return namesStream(buf, prevAt, name);
  const start = prevAt - STREAM_MEMBER.length - name.length - 1;
  return buf[prevAt - 1] === QUOTE && asciiAt(buf, start, STREAM_MEMBER) && asciiAt(buf, start + STREAM_MEMBER.length, name);
}

/**
 * The half of a record's check that costs a digest: whether it has the record shape and its
 * hash member is its SHA-256. `stored` then holds that member's 32 bytes (its leaf data in the
 * transparency log) and `storedReadable` says whether the member was 64 lowercase hex digits
 * at all. A walk over the whole log runs this part on worker threads and the link checks
 * (`linkCheck`) on its own.
 */
export function createRecordHasher() {
  const stored = new Uint8Array(32);
  const hasher = {
    stored,
    storedReadable: false,
    check(bytes: Uint8Array): 'malformed' | 'hash_mismatch' | undefined {
      const buf = asBuffer(bytes);
      hasher.storedReadable = false;
      const at = locate(buf);
      if (!at) return 'malformed';
      hasher.storedReadable = decodeHex(buf, at.hashAt + HASH_MEMBER.length, stored, 0);
      // The 32 raw bytes in a one-byte string: on Node 20 a latin1 digest is the cheapest way out of `hash`.
      const actual = digestAt(buf, at.hashAt, 'binary');
      let same = hasher.storedReadable;
      for (let i = 0; i < 32 && same; i++) same = actual.charCodeAt(i) === stored[i];
      return same ? undefined : 'hash_mismatch';
    },
  };
  return hasher;
}

/** The 64 hex digits of the genesis hash, as a record's prevHash member spells them. */
export const GENESIS_HEX: Uint8Array = Buffer.from(GENESIS_HASH, 'latin1');

/**
 * The link half of a record's check (see `createRecordHasher`), on the bytes as stored and
 * with no digest taken: whether a record names its stream and its prevHash member spells the
 * 64 hex digits at `prevHex[offset]` (the hash member of the record before it, as stored, or
 * GENESIS_HEX). `keep` copies the record's own hash member there for the next record of its
 * stream. Both read the members at the offsets the record shape puts them: a record that does
 * not have the shape gets a meaningless answer, which its `createRecordHasher` check overrules.
 */
export const linkCheck = {
  fault(bytes: Uint8Array, name: StreamName, prevHex: Uint8Array, offset: number): 'malformed' | 'stream_mismatch' | 'prev_hash_mismatch' | undefined {
    const buf = asBuffer(bytes);
    const prevAt = buf.length - HASH_SUFFIX - PREV_SUFFIX;
    if (prevAt < 1) return 'malformed';
    if (!namesStreamName(buf, prevAt, name)) return 'stream_mismatch';
    const at = prevAt + PREV_MEMBER.length;
    for (let i = 0; i < HEX; i++) if (buf[at + i] !== prevHex[offset + i]) return 'prev_hash_mismatch';
    return undefined;
  },
  /** A byte at a time: for 64 bytes, faster than a copy call. */
  keep(bytes: Uint8Array, target: Uint8Array, offset: number): void {
    const at = bytes.length - HASH_SUFFIX + HASH_MEMBER.length;
    for (let i = 0; i < HEX; i++) target[offset + i] = bytes[at + i] as number;
  },
};
