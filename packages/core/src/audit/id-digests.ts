/**
 * The event ids a verify has read, as 64-bit digests in an open-addressed table: 8 bytes a
 * slot, at most 70% full, where a Set of ten million id strings takes about a gigabyte. Two
 * different ids may share a digest, so a digest seen before makes an id a suspect, not a
 * repeat: verify confirms suspects on a second read that compares the ids themselves.
 * Canonical UUIDs (what the ledger writes) are digested from their 128 bits, any other id
 * from its UTF-16 units.
 */
export class IdDigestSet {
  private slots = new Uint32Array(2 * 1024);
  private used = 0;
  private high = 0;
  private low = 0;
  private readonly words = new Int32Array(4);

  /** `mask` keeps only some bits of each half of the digest: tests make ids collide with it. */
  constructor(readonly mask = 0xffffffff) {}

  /**
   * Holds a digest taken by `digestInto` (on a worker thread, by a set of the same mask); true if
   * it was held already (the id, or one sharing its digest, was added before).
   */
  addDigest(high: number, low: number): boolean {
    if ((this.used + 1) * 10 > (this.slots.length / 2) * 7) this.grow();
    return this.put(high, low);
  }

  /**
   * Writes the digest of the id whose UTF-8 is `utf8[start, end)` (as a batch packs ids), high
   * then low, at `out[offset]`: what `addDigest` takes. Taken from the bytes, so that a worker
   * thread makes no string of a canonical UUID.
   */
  digestInto(utf8: Buffer, start: number, end: number, out: Uint32Array, offset: number): void {
    this.digest(utf8, start, end);
    out[offset] = this.high;
    out[offset + 1] = this.low;
  }

  /** The digest of `id` as a key, for the second read that confirms suspects. */
  key(id: string): string {
    const utf8 = Buffer.from(id, 'utf8');
    this.digest(utf8, 0, utf8.length);
    return `${this.high}:${this.low}`;
  }

  private put(high: number, low: number): boolean {
    const mask = this.slots.length / 2 - 1;
    for (let slot = (low ^ high) & mask; ; slot = (slot + 1) & mask) {
      const h = this.slots[2 * slot] as number;
      const l = this.slots[2 * slot + 1] as number;
      if (h === 0 && l === 0) {
        this.slots[2 * slot] = high;
        this.slots[2 * slot + 1] = low;
        this.used++;
        return false;
      }
      if (h === high && l === low) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.put(old[i] as number, old[i + 1] as number);
  }

  /** Sets `high` and `low`; never both zero, which marks an empty slot. */
  private digest(utf8: Buffer, start: number, end: number): void {
    if (!this.digestUuid(utf8, start, end)) {
      const id = utf8.toString('utf8', start, end);
      let a = 0x811c9dc5;
      let b = 0x01000193 ^ id.length;
      for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
      }
      this.high = fmix(a ^ Math.imul(b, 0x9e3779b1));
      this.low = fmix(b ^ Math.imul(a, 0x85ebca6b));
    }
    this.high = (this.high & this.mask) >>> 0;
    this.low = (this.low & this.mask) >>> 0;
    if (this.high === 0 && this.low === 0) this.low = 1;
  }

  /** Canonical lower-case UUID (8-4-4-4-12 hex): its four 32-bit words mixed into two; false for anything else. */
  private digestUuid(utf8: Buffer, start: number, end: number): boolean {
    if (end - start !== 36 || utf8[start + 8] !== 0x2d || utf8[start + 13] !== 0x2d || utf8[start + 18] !== 0x2d || utf8[start + 23] !== 0x2d) return false;
    const words = this.words;
    words.fill(0);
    let nibbles = 0;
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) continue;
      const v = HEX_VALUE[utf8[start + i] as number] as number;
      if (v < 0) return false;
      const w = nibbles >> 3;
      words[w] = ((words[w] as number) << 4) | v;
      nibbles++;
    }
    const w0 = words[0] as number;
    const w1 = words[1] as number;
    const w2 = words[2] as number;
    const w3 = words[3] as number;
    // A v7 UUID's first word is its clock: the random words carry most of the spread. Each word
    // goes through fmix before it meets another: a product alone carries a word's top bits only
    // into the top bits, so UUIDs apart in the top digits of two words shared a digest.
    const random = fmix(w2 ^ fmix(w3));
    this.high = fmix(w0 ^ random);
    this.low = fmix(w1 ^ fmix(random ^ Math.imul(w0, 0x9e3779b1)));
    return true;
  }
}

/** The value of each lower-case hex digit by its byte, -1 for any other byte. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/** murmur3's finaliser: every bit of the input reaches every bit of the output. */
function fmix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
