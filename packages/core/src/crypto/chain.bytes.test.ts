import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createHash as sha256Of } from 'node:crypto';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.spyOn needs the CommonJS module object itself, which an ES namespace import does not give
import nodeCrypto = require('node:crypto');
import {
  GENESIS_HASH,
  GENESIS_HEX,
  asciiAt,
  checkLink,
  checkRecord,
  createRecordHasher,
  holdsId,
  holdsIdUtf8,
  linkCheck,
  readStoredHash,
  sealRecord,
  storedHash,
  streamMember,
  streamName,
} from './chain';

// The byte layout chain.ts owns, attacked member by member: `…,"stream":"<s>","prevHash":"<64 hex>","hash":"<64 hex>"}`.

const stream = 'subject-alice';
const member = streamMember(stream);
const body = { type: 'T', id: 'e-1', occurredAt: '2026-01-01T00:00:00.000Z', data: { text: 'hello' } };
const OTHER_HASH = 'ab'.repeat(32);

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const bytesOf = (latin1: string): Buffer => Buffer.from(latin1, 'latin1');
const digestOf = (latin1: string): string => sha256Of('sha256').update(bytesOf(latin1)).digest('hex');

/** A record whose hash member is the SHA-256 of its own bytes, whatever those are: `head` is everything before `,"prevHash":"`. */
function forge(head: string, prevHash = GENESIS_HASH): Buffer {
  const hashed = `${head},"prevHash":"${prevHash}"}`;
  return bytesOf(`${hashed.slice(0, -1)},"hash":"${digestOf(hashed)}"}`);
}

/** The record with `from` replaced by `to`, its hash member then made right again for its new bytes. */
function reforge(bytes: Buffer, from: string, to: string): Buffer {
  const edited = text(bytes).replace(from, to);
  expect(edited).not.toBe(text(bytes));
  const hashAt = edited.lastIndexOf(',"hash":"');
  return bytesOf(`${edited.slice(0, hashAt)},"hash":"${digestOf(`${edited.slice(0, hashAt)}}`)}"${edited.slice(-1)}`);
}

/** The same bytes as a plain Uint8Array (not a Buffer) in the middle of a larger buffer holding other bytes. */
function viewOf(bytes: Uint8Array): Uint8Array {
  const room = new Uint8Array(bytes.length + 20).fill(0x7d);
  room.set(bytes, 9);
  return room.subarray(9, 9 + bytes.length);
}

const sealed = sealRecord(body, stream, GENESIS_HASH);

describe('asciiAt', () => {
  const abc = Buffer.from('abc');

  it('finds text at the first byte and text that ends on the last byte', () => {
    expect(asciiAt(abc, 0, 'ab')).toBe(true);
    expect(asciiAt(abc, 1, 'bc')).toBe(true);
    expect(asciiAt(abc, 0, 'abc')).toBe(true);
    expect(asciiAt(abc, 3, '')).toBe(true);
  });

  it('refuses a place before the first byte or past the last, even for empty text', () => {
    expect(asciiAt(abc, -1, '')).toBe(false);
    expect(asciiAt(abc, 4, '')).toBe(false);
    expect(asciiAt(abc, 2, 'cd')).toBe(false);
    expect(asciiAt(abc, -1, 'abc')).toBe(false);
  });

  it('compares every byte, the last as the first', () => {
    expect(asciiAt(abc, 0, 'xbc')).toBe(false);
    expect(asciiAt(abc, 0, 'abx')).toBe(false);
    expect(asciiAt(abc, 1, 'bx')).toBe(false);
  });
});

describe('sealRecord', () => {
  it("leaves the event's own place members out: the record's place is the one given", () => {
    const forged = sealRecord({ ...body, stream: 'subject-eve', prevHash: OTHER_HASH, hash: OTHER_HASH }, stream, GENESIS_HASH);
    expect(forged).toEqual(sealed);
    expect(text(sealed.bytes).endsWith(`,"stream":"${stream}","prevHash":"${GENESIS_HASH}","hash":"${sealed.hash}"}`)).toBe(true);
    expect(sealed.hash).toBe(digestOf(`${text(sealed.bytes).slice(0, -75)}}`));
  });
});

describe('a stored record that does not have the record shape', () => {
  // Each forgery keeps its hash member right for its bytes, so only the shape check can refuse it.
  const forgeries: [string, Buffer][] = [
    ['does not open with {', reforge(sealed.bytes, '{', '[')],
    ['does not close with }', bytesOf(`${text(sealed.bytes).slice(0, -1)}]`)],
    ['has no closing quote after its hash', bytesOf(`${text(sealed.bytes).slice(0, -2)}x}`)],
    ['has no closing quote after its prevHash', reforge(sealed.bytes, `${GENESIS_HASH}"`, `${GENESIS_HASH}x`)],
    ['names its hash member otherwise', bytesOf(text(sealed.bytes).replace(',"hash":"', ',"hasx":"'))],
    ['names its prevHash member otherwise', reforge(sealed.bytes, ',"prevHash":"', ',"prevHasx":"')],
    ['has a hash member a digit short', bytesOf(text(sealed.bytes).replace(`"${sealed.hash}"`, `"${sealed.hash.slice(1)}"`))],
    ['has a prevHash member a digit long', reforge(sealed.bytes, `"${GENESIS_HASH}"`, `"0${GENESIS_HASH}"`)],
    ['is only its place, with no {', forge('')],
    ['is its place less its first byte', forge('').subarray(1)],
    ['is two bytes', Buffer.from('{}')],
    ['is empty', Buffer.alloc(0)],
  ];

  it.each(forgeries)('is malformed to every check when it %s', (_, bytes) => {
    expect(checkRecord(bytes, member)).toEqual({ ok: false, reason: 'malformed' });
    expect(checkLink(bytes, member, GENESIS_HASH)).toEqual({ reason: 'malformed' });
    expect(storedHash(bytes)).toBeUndefined();
    const target = new Uint8Array(32).fill(7);
    expect(readStoredHash(bytes, target, 0)).toBe(false);
    expect([...target]).toEqual(new Array(32).fill(7));
    const hasher = createRecordHasher();
    expect(hasher.check(sealed.bytes)).toBeUndefined();
    expect(hasher.check(bytes)).toBe('malformed');
    expect(hasher.storedReadable).toBe(false);
  });

  it('is shaped with nothing but { before its prevHash, and then names no stream', () => {
    const bare = forge('{');
    const hash = digestOf(`{,"prevHash":"${GENESIS_HASH}"}`);
    expect(text(bare)).toBe(`{,"prevHash":"${GENESIS_HASH}","hash":"${hash}"}`);
    expect(checkRecord(bare, member)).toEqual({ ok: false, reason: 'stream_mismatch', prevHash: GENESIS_HASH, hash });
    expect(checkLink(bare, member, GENESIS_HASH)).toEqual({ reason: 'stream_mismatch' });
    expect(storedHash(bare)).toBe(hash);
    expect(createRecordHasher().check(bare)).toBeUndefined();
    expect(linkCheck.fault(bare, streamName(stream), GENESIS_HEX, 0)).toBe('stream_mismatch');
    expect(linkCheck.fault(bare, streamName('subject-zoë'), GENESIS_HEX, 0)).toBe('stream_mismatch');
    expect(linkCheck.fault(bare.subarray(1), streamName(stream), GENESIS_HEX, 0)).toBe('malformed');
    expect(linkCheck.fault(Buffer.from('{}'), streamName('subject-zoë'), GENESIS_HEX, 0)).toBe('malformed');
  });

  it('names its stream when the stream member is all there is before its prevHash', () => {
    const least = forge(`{${member.toString('latin1')}`);
    expect(checkRecord(least, member)).toMatchObject({ ok: true, prevHash: GENESIS_HASH });
    expect(checkLink(least, member, GENESIS_HASH)).toEqual({ hash: storedHash(least) });
    expect(linkCheck.fault(least, streamName(stream), GENESIS_HEX, 0)).toBeUndefined();
    // A stream name longer than everything before the prevHash member is no match, not a fault.
    const long = streamMember(`${stream}-${'x'.repeat(400)}`);
    expect(checkRecord(least, long)).toMatchObject({ ok: false, reason: 'stream_mismatch' });
    expect(checkLink(least, long, GENESIS_HASH)).toEqual({ reason: 'stream_mismatch' });
    expect(linkCheck.fault(least, long, GENESIS_HEX, 0)).toBe('stream_mismatch');
    expect(linkCheck.fault(least, `${stream}-${'x'.repeat(400)}`, GENESIS_HEX, 0)).toBe('stream_mismatch');
  });
});

describe('checkRecord and checkLink', () => {
  const other = streamMember('subject-eve');
  const tampered = bytesOf(text(sealed.bytes).replace('hello', 'hellp'));

  it('call an intact record in its stream and after its predecessor intact, with its links', () => {
    expect(checkRecord(sealed.bytes, member)).toEqual({ ok: true, prevHash: GENESIS_HASH, hash: sealed.hash });
    expect(checkLink(sealed.bytes, member, GENESIS_HASH)).toEqual({ hash: sealed.hash });
    const next = sealRecord({ ...body, id: 'e-2' }, stream, sealed.hash);
    expect(checkRecord(next.bytes, member)).toEqual({ ok: true, prevHash: sealed.hash, hash: next.hash });
    expect(checkLink(next.bytes, member, sealed.hash)).toEqual({ hash: next.hash });
  });

  it('call a record linked to another predecessor a prev_hash_mismatch, at its first or last digit', () => {
    expect(checkLink(sealed.bytes, member, OTHER_HASH)).toEqual({ reason: 'prev_hash_mismatch' });
    expect(checkLink(sealed.bytes, member, `1${GENESIS_HASH.slice(1)}`)).toEqual({ reason: 'prev_hash_mismatch' });
    expect(checkLink(sealed.bytes, member, `${GENESIS_HASH.slice(1)}1`)).toEqual({ reason: 'prev_hash_mismatch' });
  });

  it('give the stored links of a record whose bytes were changed, and call it a hash_mismatch before any link fault', () => {
    expect(checkRecord(tampered, member)).toEqual({ ok: false, reason: 'hash_mismatch', prevHash: GENESIS_HASH, hash: sealed.hash });
    expect(checkRecord(tampered, other)).toEqual({ ok: false, reason: 'hash_mismatch', prevHash: GENESIS_HASH, hash: sealed.hash });
    expect(checkLink(tampered, member, GENESIS_HASH)).toEqual({ reason: 'hash_mismatch' });
    expect(checkLink(tampered, other, OTHER_HASH)).toEqual({ reason: 'hash_mismatch' });
  });

  it('call a changed digit of the hash member a hash_mismatch, giving the digits as stored', () => {
    const last = sealed.hash.slice(-1) === '0' ? '1' : '0';
    const wrong = `${sealed.hash.slice(0, -1)}${last}`;
    const bytes = bytesOf(text(sealed.bytes).replace(sealed.hash, wrong));
    expect(checkRecord(bytes, member)).toEqual({ ok: false, reason: 'hash_mismatch', prevHash: GENESIS_HASH, hash: wrong });
    expect(checkLink(bytes, member, GENESIS_HASH)).toEqual({ reason: 'hash_mismatch' });
    expect(storedHash(bytes)).toBe(wrong);
  });

  it('call an intact record of another stream a stream_mismatch before its link, with its links', () => {
    expect(checkRecord(sealed.bytes, other)).toEqual({ ok: false, reason: 'stream_mismatch', prevHash: GENESIS_HASH, hash: sealed.hash });
    expect(checkLink(sealed.bytes, other, OTHER_HASH)).toEqual({ reason: 'stream_mismatch' });
  });

  it('read a record handed over as a Uint8Array view into a larger buffer', () => {
    const view = viewOf(sealed.bytes);
    expect(Buffer.isBuffer(view)).toBe(false);
    expect(checkRecord(view, member)).toEqual({ ok: true, prevHash: GENESIS_HASH, hash: sealed.hash });
    expect(checkRecord(view, other)).toMatchObject({ ok: false, reason: 'stream_mismatch' });
    expect(checkLink(view, member, GENESIS_HASH)).toEqual({ hash: sealed.hash });
    expect(checkLink(view, member, OTHER_HASH)).toEqual({ reason: 'prev_hash_mismatch' });
    expect(checkLink(viewOf(tampered), member, GENESIS_HASH)).toEqual({ reason: 'hash_mismatch' });
    expect(storedHash(view)).toBe(sealed.hash);
    expect(holdsId(view, 'e-1')).toBe(true);
    expect(holdsId(view, 'e-2')).toBe(false);
  });
});

describe('the scratch space a record is hashed in', () => {
  const LIMIT = 64 * 1024; // chain.ts's SCRATCH_LIMIT: past it a record is hashed in two updates
  const ofLength = (length: number) => {
    const base = sealRecord({ ...body, data: { text: '' } }, stream, GENESIS_HASH).bytes.length;
    const record = sealRecord({ ...body, data: { text: 'x'.repeat(length - base) } }, stream, GENESIS_HASH);
    expect(record.bytes.length).toBe(length);
    return record;
  };

  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** Which of node:crypto's two ways `check` took to hash the record. */
  function hashedBy(check: () => unknown): { oneShot: number; streamed: number } {
    const oneShot = jest.spyOn(nodeCrypto, 'hash');
    const streamed = jest.spyOn(nodeCrypto, 'createHash');
    check();
    const calls = { oneShot: oneShot.mock.calls.length, streamed: streamed.mock.calls.length };
    jest.restoreAllMocks();
    return calls;
  }

  it('holds a record of exactly its limit, and hashes one a byte longer in two updates, each hash right', () => {
    const hasher = createRecordHasher();
    for (const [length, way] of [
      [300, { oneShot: 1, streamed: 0 }],
      [9_000, { oneShot: 1, streamed: 0 }],
      [LIMIT, { oneShot: 1, streamed: 0 }],
      [LIMIT + 1, { oneShot: 0, streamed: 1 }],
      [LIMIT - 1, { oneShot: 1, streamed: 0 }],
      [300, { oneShot: 1, streamed: 0 }],
    ] as const) {
      const { bytes, hash } = ofLength(length);
      expect([length, hashedBy(() => expect(checkRecord(bytes, member)).toEqual({ ok: true, prevHash: GENESIS_HASH, hash }))]).toEqual([length, way]);
      expect([length, hashedBy(() => expect(checkLink(bytes, member, GENESIS_HASH)).toEqual({ hash }))]).toEqual([length, way]);
      expect([length, hashedBy(() => expect(hasher.check(bytes)).toBeUndefined())]).toEqual([length, way]);
      expect(Buffer.from(hasher.stored).toString('hex')).toBe(hash);
      // The same record with a byte of its data changed: the copy hashed is the record's, not what the scratch held.
      const tampered = Buffer.from(bytes);
      tampered[30] = 0x79;
      expect([length, checkRecord(tampered, member)]).toEqual([length, { ok: false, reason: 'hash_mismatch', prevHash: GENESIS_HASH, hash }]);
      expect([length, hasher.check(tampered)]).toEqual([length, 'hash_mismatch']);
    }
  });
});

describe('storedHash and readStoredHash', () => {
  it('give the hash member as stored, unchecked, as text and as its 32 bytes', () => {
    const tampered = bytesOf(text(sealed.bytes).replace('hello', 'hellp'));
    expect(storedHash(sealed.bytes)).toBe(sealed.hash);
    expect(storedHash(tampered)).toBe(sealed.hash);
    const target = new Uint8Array(96).fill(7);
    expect(readStoredHash(viewOf(tampered), target, 32)).toBe(true);
    expect(Buffer.from(target.subarray(32, 64)).toString('hex')).toBe(sealed.hash);
    expect([...target.subarray(0, 32), ...target.subarray(64)]).toEqual(new Array(64).fill(7));
  });

  it('read a hash member of zero bytes, and of every hex digit', () => {
    const target = new Uint8Array(32).fill(7);
    expect(readStoredHash(bytesOf(text(sealed.bytes).replace(sealed.hash, '0'.repeat(64))), target, 0)).toBe(true);
    expect([...target]).toEqual(new Array(32).fill(0));
    const digits = '0123456789abcdef'.repeat(4);
    expect(readStoredHash(bytesOf(text(sealed.bytes).replace(sealed.hash, digits)), target, 0)).toBe(true);
    expect(Buffer.from(target).toString('hex')).toBe(digits);
  });

  it('refuse a hash member that is not 64 lowercase hex digits, wherever the odd digit is', () => {
    for (const wrong of [sealed.hash.toUpperCase(), `g${sealed.hash.slice(1)}`, `${sealed.hash.slice(0, -1)}g`, `${sealed.hash.slice(0, 10)}"${sealed.hash.slice(11)}`]) {
      const bytes = bytesOf(text(sealed.bytes).replace(sealed.hash, wrong));
      expect([wrong, readStoredHash(bytes, new Uint8Array(32), 0)]).toEqual([wrong, false]);
      expect([wrong, storedHash(bytes)]).toEqual([wrong, wrong]);
    }
  });
});

/** holdsIdUtf8 as a verify batch calls it: the id's UTF-8 amid the other ids packed around it. */
function holdsIdPacked(bytes: Uint8Array, id: string): boolean {
  const packed = Buffer.from(`e-0${id}e-2`);
  return holdsIdUtf8(bytes, packed, 3, packed.length - 3);
}

describe.each([
  ['holdsId', holdsId],
  ['holdsIdUtf8', holdsIdPacked],
])('%s', (_, holdsId) => {
  it('does not take an id that only ends the record’s own for it', () => {
    const plain = sealRecord({ ...body, id: 'xe-1' }, stream, GENESIS_HASH).bytes;
    expect(holdsId(plain, 'xe-1')).toBe(true);
    expect(holdsId(plain, 'e-1')).toBe(false);
    const escaped = sealRecord({ ...body, id: 'xé-1' }, stream, GENESIS_HASH).bytes;
    expect(holdsId(escaped, 'xé-1')).toBe(true);
    expect(holdsId(escaped, 'é-1')).toBe(false);
  });

  it('finds no id in a record whose member before occurredAt is not id', () => {
    const { bytes } = sealRecord({ xid: 'e-1', occurredAt: 't' }, stream, GENESIS_HASH);
    expect(holdsId(bytes, 'e-1')).toBe(false);
    const { bytes: escaped } = sealRecord({ xid: 'é-1', occurredAt: 't' }, stream, GENESIS_HASH);
    expect(holdsId(escaped, 'é-1')).toBe(false);
  });

  it('finds no id in bytes without an id member', () => {
    for (const id of ['e-1', 'é-1', '']) {
      expect([id, holdsId(Buffer.from('{}'), id)]).toEqual([id, false]);
      expect([id, holdsId(Buffer.from('","occurredAt":"'), id)]).toEqual([id, false]);
    }
  });

  it('finds an id member that starts at the first byte', () => {
    expect(holdsId(Buffer.from('"id":"e-1","occurredAt":"t"}'), 'e-1')).toBe(true);
    expect(holdsId(Buffer.from('"id":"\\u00e9-1","occurredAt":"t"}'), 'é-1')).toBe(false);
    expect(holdsId(Buffer.from('"id":"é-1","occurredAt":"t"}'), 'é-1')).toBe(true);
    expect(holdsId(Buffer.from('id":"é-1","occurredAt":"t"}'), 'é-1')).toBe(false);
    expect(holdsId(Buffer.from('id":"e-1","occurredAt":"t"}'), 'e-1')).toBe(false);
  });

  it('refuses an id one character off the record’s own, wherever the character is', () => {
    const own = '0190a6e2-7b3c-7d41-9e5f-a1b2c3d4e5f6';
    const { bytes } = sealRecord({ ...body, id: own }, stream, GENESIS_HASH);
    const off = Array.from(own, (c, at) => own.slice(0, at) + (c === '0' ? '1' : '0') + own.slice(at + 1));
    expect(holdsId(bytes, own)).toBe(true);
    expect(off.filter((id) => holdsId(bytes, id))).toEqual([]);
  });

  it('takes no id from a stream name that spells the member after it: JSON escapes its quotes', () => {
    const { bytes } = sealRecord(body, 'e-2","occurredAt":"', GENESIS_HASH);
    expect(holdsId(bytes, 'e-1')).toBe(true);
    expect(holdsId(bytes, 'e-2')).toBe(false);
  });
});

describe('streamName', () => {
  it('is the stream itself when JSON writes it as it is, and its member bytes when JSON escapes it', () => {
    expect(streamName('subject-alice')).toBe('subject-alice');
    expect(streamName('')).toBe('');
    expect(streamName('subject-zoë')).toEqual(streamMember('subject-zoë'));
    expect(streamName('subject-"quoted"')).toEqual(streamMember('subject-"quoted"'));
  });
});

describe('linkCheck', () => {
  const prevHex = Buffer.from(`${OTHER_HASH}${GENESIS_HASH}${OTHER_HASH}`, 'latin1');

  it('finds no fault in a record of its stream after its predecessor, however the stream is named', () => {
    for (const name of ['subject-alice', 'subject-zoë', 'a"b\\c', '']) {
      const { bytes, hash } = sealRecord(body, name, GENESIS_HASH);
      expect([name, linkCheck.fault(bytes, streamName(name), GENESIS_HEX, 0)]).toEqual([name, undefined]);
      expect([name, linkCheck.fault(viewOf(bytes), streamName(name), prevHex, 64)]).toEqual([name, undefined]);
      expect([name, linkCheck.fault(bytes, streamMember(name), GENESIS_HEX, 0)]).toEqual([name, undefined]);
      const next = sealRecord(body, name, hash);
      expect([name, linkCheck.fault(next.bytes, streamName(name), Buffer.from(hash, 'latin1'), 0)]).toEqual([name, undefined]);
    }
  });

  it('calls a record of another stream a stream_mismatch, even one whose name ends or starts like its own', () => {
    for (const [own, other] of [
      ['subject-alice', 'subject-alic'],
      ['subject-alice', 'ubject-alice'],
      ['subject-alice', 'subject-alice2'],
      ['subject-alice', 'x-subject-alice'],
      ['subject-alice', ''],
      ['subject-zoë', 'subject-zoe'],
      ['subject-zoë', 'ubject-zoë'],
      ['subject-zoë', 'subject-zoë2'],
      ['a"b', 'b'],
    ] as const) {
      const { bytes } = sealRecord(body, own, GENESIS_HASH);
      expect([own, other, linkCheck.fault(bytes, streamName(other), GENESIS_HEX, 0)]).toEqual([own, other, 'stream_mismatch']);
      expect([own, other, linkCheck.fault(bytes, streamMember(other), GENESIS_HEX, 0)]).toEqual([own, other, 'stream_mismatch']);
    }
  });

  it('calls a stream member not closed by its quote, or not opened by its name, a stream_mismatch', () => {
    const unclosed = forge('{"id":"e-1","stream":"subject-alicex');
    expect(linkCheck.fault(unclosed, 'subject-alice', GENESIS_HEX, 0)).toBe('stream_mismatch');
    const renamed = forge('{"id":"e-1","strean":"subject-alice"');
    expect(linkCheck.fault(renamed, 'subject-alice', GENESIS_HEX, 0)).toBe('stream_mismatch');
    const unopened = forge('{"id":"e-1","stream":subject-alice"');
    expect(linkCheck.fault(unopened, 'subject-alice', GENESIS_HEX, 0)).toBe('stream_mismatch');
    // Both intact to the hasher, which leaves the stream to the link check.
    expect(createRecordHasher().check(unclosed)).toBeUndefined();
  });

  it('calls a record linked to another predecessor a prev_hash_mismatch, at its first or last digit', () => {
    const name = streamName(stream);
    expect(linkCheck.fault(sealed.bytes, name, prevHex, 0)).toBe('prev_hash_mismatch');
    expect(linkCheck.fault(sealed.bytes, name, prevHex, 63)).toBe('prev_hash_mismatch');
    expect(linkCheck.fault(sealed.bytes, name, prevHex, 65)).toBe('prev_hash_mismatch');
    expect(linkCheck.fault(sealed.bytes, name, Buffer.from(`1${GENESIS_HASH.slice(1)}`, 'latin1'), 0)).toBe('prev_hash_mismatch');
    expect(linkCheck.fault(sealed.bytes, name, Buffer.from(`${GENESIS_HASH.slice(1)}1`, 'latin1'), 0)).toBe('prev_hash_mismatch');
    expect(linkCheck.fault(sealed.bytes, streamName('subject-eve'), prevHex, 0)).toBe('stream_mismatch');
  });

  it('keeps the hash member as stored, at the offset given, touching nothing else', () => {
    const target = new Uint8Array(3 * 64).fill(7);
    linkCheck.keep(viewOf(sealed.bytes), target, 64);
    expect(Buffer.from(target.subarray(64, 128)).toString('latin1')).toBe(sealed.hash);
    expect([...target.subarray(0, 64), ...target.subarray(128)]).toEqual(new Array(128).fill(7));
    // What it kept is what the next record of the stream must link to.
    const next = sealRecord({ ...body, id: 'e-2' }, stream, sealed.hash);
    expect(linkCheck.fault(next.bytes, streamName(stream), target, 64)).toBeUndefined();
  });
});

describe('createRecordHasher', () => {
  it('holds nothing readable before its first check', () => {
    expect(createRecordHasher().storedReadable).toBe(false);
  });

  it('holds the 32 bytes of an intact record’s hash member, readable', () => {
    const hasher = createRecordHasher();
    const stored = hasher.stored;
    expect(hasher.check(viewOf(sealed.bytes))).toBeUndefined();
    expect(hasher.storedReadable).toBe(true);
    expect(hasher.stored).toBe(stored);
    expect(Buffer.from(hasher.stored).toString('hex')).toBe(sealed.hash);
  });

  it('calls changed bytes or a changed hash member a hash_mismatch, holding the member as stored', () => {
    const hasher = createRecordHasher();
    expect(hasher.check(bytesOf(text(sealed.bytes).replace('hello', 'hellp')))).toBe('hash_mismatch');
    expect(hasher.storedReadable).toBe(true);
    expect(Buffer.from(hasher.stored).toString('hex')).toBe(sealed.hash);
    for (const at of [0, 31, 63]) {
      const digits = [...sealed.hash];
      digits[at] = digits[at] === 'f' ? 'e' : 'f';
      const wrong = digits.join('');
      expect([at, hasher.check(bytesOf(text(sealed.bytes).replace(sealed.hash, wrong)))]).toEqual([at, 'hash_mismatch']);
      expect(Buffer.from(hasher.stored).toString('hex')).toBe(wrong);
    }
  });

  it('calls a hash member in uppercase a hash_mismatch, unreadable, even right after the same record in lowercase', () => {
    // The bytes the member spells are the record's digest, and the digest does not cover the member itself.
    const upper = bytesOf(text(sealed.bytes).replace(sealed.hash, sealed.hash.toUpperCase()));
    expect(sealed.hash).not.toBe(sealed.hash.toUpperCase());
    const hasher = createRecordHasher();
    expect(hasher.check(sealed.bytes)).toBeUndefined();
    expect(hasher.check(upper)).toBe('hash_mismatch');
    expect(hasher.storedReadable).toBe(false);
    expect(hasher.check(sealed.bytes)).toBeUndefined();
    expect(hasher.storedReadable).toBe(true);
  });
});
