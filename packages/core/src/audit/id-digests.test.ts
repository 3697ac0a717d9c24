import { describe, expect, it } from '@jest/globals';
import { IdDigestSet } from './id-digests';

/** Holds `id` as verify does: its digest taken (`digestInto`, on a worker thread in a verify), then added. */
function hold(set: IdDigestSet, id: string): boolean {
  const digest = new Uint32Array(2);
  const utf8 = Buffer.from(id);
  set.digestInto(utf8, 0, utf8.length, digest, 0);
  return set.addDigest(digest[0] as number, digest[1] as number);
}

const UUID = '0190a6e2-7b3c-7d41-9e5f-a1b2c3d4e5f6';
const HEX = '0123456789abcdef';

/** The UUID with each of its 32 hex digits in turn set to each of the 16 values: 481 ids, each one digit away from it. */
function oneDigitAway(): string[] {
  const ids = new Set<string>();
  for (let at = 0; at < 36; at++) {
    if ([8, 13, 18, 23].includes(at)) continue;
    for (const digit of HEX) ids.add(UUID.slice(0, at) + digit + UUID.slice(at + 1));
  }
  return [...ids];
}

describe('IdDigestSet', () => {
  it('says an id is new the first time and held every time after, past many growths of its table', () => {
    const set = new IdDigestSet();
    const ids = Array.from({ length: 3_000 }, (_, i) => (i % 2 === 0 ? `order-${i}` : `${UUID.slice(0, 24)}${i.toString(16).padStart(12, '0')}`));
    expect(ids.filter((id) => hold(set, id))).toEqual([]);
    expect(ids.filter((id) => !hold(set, id))).toEqual([]);
  });

  it('tells apart canonical UUIDs one hex digit apart, wherever the digit is', () => {
    const set = new IdDigestSet();
    const ids = oneDigitAway();
    expect(ids).toHaveLength(481);
    expect(ids.filter((id) => hold(set, id))).toEqual([]);
  });

  it('tells apart ids that look like UUIDs and are not: longer, a dash moved, a letter that is no hex digit, upper case', () => {
    const set = new IdDigestSet();
    const lookalikes = [
      UUID,
      `${UUID}0`,
      `${UUID}1`,
      ...[8, 13, 18, 23].flatMap((at) => ['a', 'b'].map((c) => UUID.slice(0, at) + c + UUID.slice(at + 1))),
      // Below 'a' too: 'W' to '`' lie as far below 'a' as '0' to '9' lie below it, and are no digits either.
      ...['g', 'h', 'z', 'G', 'A', 'B', 'W', 'X', '`'].map((c) => `${c}${UUID.slice(1)}`),
      UUID.toUpperCase(),
    ];
    expect(new Set(lookalikes).size).toBe(lookalikes.length);
    expect(lookalikes.filter((id) => hold(set, id))).toEqual([]);
  });

  it('tells apart other ids of one length and of different lengths, the empty one among them', () => {
    const set = new IdDigestSet();
    const ids = ['', 'a', 'b', 'aa', 'ab', 'ba', ...Array.from({ length: 200 }, (_, i) => `order-${String(i).padStart(3, '0')}`)];
    expect(ids.filter((id) => hold(set, id))).toEqual([]);
  });

  it('holds digests that a mask leaves with one half zero, though an empty slot is a zero digest', () => {
    for (const mask of [0xffff0000, 0x0000ffff]) {
      const few = new IdDigestSet(mask);
      const ids = ['order-1', 'order-2', 'order-3', UUID, oneDigitAway()[7] as string, 'refund-9'];
      expect(ids.filter((id) => hold(few, id))).toEqual([]);
      expect(ids.filter((id) => !hold(few, id))).toEqual([]);
      // Past the growth of the table too: a few of 1,500 ids share a 16-bit half, but none held is lost.
      const many = new IdDigestSet(mask);
      const more = Array.from({ length: 1_500 }, (_, i) => `order-${i}`);
      for (const id of more) hold(many, id);
      expect(more.filter((id) => !hold(many, id))).toEqual([]);
    }
  });

  it('holds digests with one half zero, added as a worker thread hands them over, through growths of the table', () => {
    const set = new IdDigestSet();
    const digests = Array.from({ length: 3_000 }, (_, i): [number, number] => (i % 2 === 0 ? [i + 1, 0] : [0, i + 1]));
    expect(digests.filter(([high, low]) => set.addDigest(high, low))).toEqual([]);
    expect(digests.filter(([high, low]) => !set.addDigest(high, low))).toEqual([]);
    // A digest beside them that differs in its zero half is new.
    expect([set.addDigest(1, 7), set.addDigest(7, 2)]).toEqual([false, false]);
  });

  it('keeps the low half of a digest whose high half alone a mask leaves zero', () => {
    // The first two ids of the form `order-<n>` whose digest's high half this mask leaves zero (found by a search).
    const set = new IdDigestSet(0x0000ffff);
    expect(['order-219116', 'order-227441'].map((id) => set.key(id))).toEqual(['0:56379', '0:19681']);
  });

  it('with a mask of 0 gives every id one digest, so that every id after the first is held', () => {
    const set = new IdDigestSet(0);
    expect(['order-1', UUID, 'order-2'].map((id) => hold(set, id))).toEqual([false, true, true]);
  });

  it('keys an id by the digest digestInto writes', () => {
    const set = new IdDigestSet();
    for (const id of [UUID, 'order-1', UUID.toUpperCase(), 'é-1', `${UUID}x`]) {
      const digest = new Uint32Array(3);
      // Inside a longer buffer, as a batch packs its ids.
      const packed = Buffer.from(`order-0${id}order-2`);
      set.digestInto(packed, 'order-0'.length, 'order-0'.length + Buffer.byteLength(id), digest, 1);
      expect(digest[0]).toBe(0);
      expect(set.key(id)).toBe(`${digest[1]}:${digest[2]}`);
    }
    expect(set.key(UUID)).not.toBe(set.key('order-1'));
  });
});

/** murmur3's finaliser, written again from its definition for the reference digest below. */
function fmix(x: number): number {
  let h = x >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A canonical UUID's digest from its 128 bits read as one number: the layout the set documents. */
function uuidDigest(id: string): string {
  const bits = BigInt(`0x${id.replaceAll('-', '')}`);
  const [w0, w1, w2, w3] = [96n, 64n, 32n, 0n].map((shift) => Number((bits >> shift) & 0xffffffffn));
  const random = fmix((w2 as number) ^ fmix(w3 as number));
  const high = fmix((w0 as number) ^ random);
  const low = fmix((w1 as number) ^ fmix(random ^ Math.imul(w0 as number, 0x9e3779b1)));
  // Both halves zero marks an empty slot: such a digest is kept with a low half of 1.
  return high === 0 && low === 0 ? '0:1' : `${high}:${low}`;
}

describe('IdDigestSet digests', () => {
  // The collision tests above check the spread; these pin which path each id takes, so that a
  // change to the digest is made on purpose.
  it('digests a canonical lower-case UUID from its four 32-bit words, every hex digit read', () => {
    const set = new IdDigestSet();
    for (const id of [
      UUID,
      ...oneDigitAway().filter((_, i) => i % 7 === 0),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '9a8b7c6d-5e4f-3a2b-1c0d-efabcdef0189',
    ]) {
      expect(set.key(id)).toBe(uuidDigest(id));
    }
  });

  it('digests every other id from its UTF-16 units: these vectors pin it, a 36-character id that is no UUID among them', () => {
    const set = new IdDigestSet();
    const vectors: ReadonlyArray<readonly [string, string]> = [
      ['', '4084276916:124701450'],
      ['a', '3737504898:1374640895'],
      ['order-1', '1959232756:882821580'],
      [UUID.toUpperCase(), '4156026468:3012179979'],
      [`${UUID.slice(0, 35)}g`, '1637164621:3414553088'],
      [`${UUID.slice(0, 8)}x${UUID.slice(9)}`, '3607641029:2105119623'],
      [`${UUID}0`, '3049048408:2868769964'],
    ];
    expect(vectors.map(([id]) => set.key(id))).toEqual(vectors.map(([, digest]) => digest));
  });

  it('masks both halves of a digest and keeps a masked-out one apart from an empty slot', () => {
    const high = new IdDigestSet(0xffff0000);
    const [h, l] = uuidDigest(UUID).split(':').map(Number) as [number, number];
    expect(high.key(UUID)).toBe(`${(h & 0xffff0000) >>> 0}:${(l & 0xffff0000) >>> 0 || 1}`);
    expect(new IdDigestSet(0).key('order-1')).toBe('0:1');
  });
});
