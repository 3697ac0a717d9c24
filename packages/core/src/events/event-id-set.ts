/**
 * Event ids, each kept with a tag (where it was seen: a revision, a position). Canonical
 * lower-case UUIDs, which is what the ledger writes (v7), are kept as 16 binary bytes in an
 * open-addressed table rather than as strings: a log of a million events costs tens of
 * megabytes to check, not hundreds. Any other id is kept as it is.
 */
export class EventIdSet {
  private keys = new Uint32Array(4 * 16);
  private tags = new Float64Array(16).fill(-1);
  private used = 0;
  private readonly others = new Map<string, number>();
  private readonly word = new Uint32Array(4);

  /** How many ids are held. */
  get size(): number {
    return this.used + this.others.size;
  }

  /** Holds `id` with `tag` (>= 0) unless it is already held; returns the tag it was first held with, or undefined if it is new. */
  add(id: string, tag: number): number | undefined {
    if (!parseUuid(id, this.word)) {
      const held = this.others.get(id);
      if (held === undefined) this.others.set(id, tag);
      return held;
    }
    return this.addWords(this.word[0] as number, this.word[1] as number, this.word[2] as number, this.word[3] as number, tag);
  }

  private addWords(w0: number, w1: number, w2: number, w3: number, tag: number): number | undefined {
    if ((this.used + 1) * 2 > this.tags.length) this.grow();
    const slot = this.find(w0, w1, w2, w3);
    const held = this.tags[slot] as number;
    if (held >= 0) return held;
    this.keys[slot * 4] = w0;
    this.keys[slot * 4 + 1] = w1;
    this.keys[slot * 4 + 2] = w2;
    this.keys[slot * 4 + 3] = w3;
    this.tags[slot] = tag;
    this.used++;
    return undefined;
  }

  /** The tag `id` was first held with, or undefined if it is not held. */
  get(id: string): number | undefined {
    if (!parseUuid(id, this.word)) return this.others.get(id);
    const tag = this.tags[this.find(this.word[0] as number, this.word[1] as number, this.word[2] as number, this.word[3] as number)] as number;
    return tag >= 0 ? tag : undefined;
  }

  /**
   * The ids held with the tags 0 to count - 1, as bytes: 16 per id at its tag (big-endian
   * words; zeros where the id is no UUID), and the ids that are no UUID with their tags.
   * Undefined unless each of those tags is held: a stream's ids by revision, for its snapshot.
   */
  pack(count: number): { uuids: Buffer; others: [number, string][] } | undefined {
    const uuids = Buffer.alloc(count * 16);
    let found = 0;
    for (let slot = 0; slot < this.tags.length; slot++) {
      const tag = this.tags[slot] as number;
      if (tag < 0 || tag >= count) continue;
      const at = tag * 16;
      uuids.writeUInt32BE(this.keys[slot * 4] as number, at);
      uuids.writeUInt32BE(this.keys[slot * 4 + 1] as number, at + 4);
      uuids.writeUInt32BE(this.keys[slot * 4 + 2] as number, at + 8);
      uuids.writeUInt32BE(this.keys[slot * 4 + 3] as number, at + 12);
      found++;
    }
    const others: [number, string][] = [];
    for (const [id, tag] of this.others) {
      if (tag >= count) continue;
      others.push([tag, id]);
      found++;
    }
    return found === count ? { uuids, others } : undefined;
  }

  /** The set `pack` described: each of `count` tags holds its id, from `uuids` unless `others` names it. */
  static unpack(count: number, uuids: Uint8Array, others: readonly (readonly [number, string])[]): EventIdSet {
    const set = new EventIdSet();
    // Sized once for all of them, rather than doubled over and over on the way.
    let slots = 16;
    while (slots < 2 * (count + 1)) slots *= 2;
    set.keys = new Uint32Array(4 * slots);
    set.tags = new Float64Array(slots).fill(-1);
    const bytes = Buffer.from(uuids.buffer, uuids.byteOffset, uuids.byteLength);
    const named = new Set<number>();
    for (const [tag, id] of others) {
      set.others.set(id, tag);
      named.add(tag);
    }
    for (let tag = 0; tag < count; tag++) {
      if (named.has(tag)) continue;
      const at = tag * 16;
      set.addWords(bytes.readUInt32BE(at), bytes.readUInt32BE(at + 4), bytes.readUInt32BE(at + 8), bytes.readUInt32BE(at + 12), tag);
    }
    return set;
  }

  /** The slot holding the key, or the empty slot where it would go (linear probing). */
  private find(w0: number, w1: number, w2: number, w3: number): number {
    const mask = this.tags.length - 1;
    let slot = mix(w0, w1, w2, w3) & mask;
    for (;;) {
      if ((this.tags[slot] as number) < 0) return slot;
      const at = slot * 4;
      if (this.keys[at] === w0 && this.keys[at + 1] === w1 && this.keys[at + 2] === w2 && this.keys[at + 3] === w3) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const { keys, tags } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.tags = new Float64Array(tags.length * 2).fill(-1);
    for (let old = 0; old < tags.length; old++) {
      const tag = tags[old] as number;
      if (tag < 0) continue;
      const w0 = keys[old * 4] as number;
      const w1 = keys[old * 4 + 1] as number;
      const w2 = keys[old * 4 + 2] as number;
      const w3 = keys[old * 4 + 3] as number;
      const slot = this.find(w0, w1, w2, w3);
      this.keys[slot * 4] = w0;
      this.keys[slot * 4 + 1] = w1;
      this.keys[slot * 4 + 2] = w2;
      this.keys[slot * 4 + 3] = w3;
      this.tags[slot] = tag;
    }
  }
}

/** Mixes all 128 bits (murmur3's finaliser), so ids that differ only in a counter or a clock still spread. */
function mix(w0: number, w1: number, w2: number, w3: number): number {
  let h = w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Reads a canonical lower-case UUID (8-4-4-4-12 hex) into four 32-bit words; false for anything else. */
function parseUuid(id: string, out: Uint32Array): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 0x2d || id.charCodeAt(13) !== 0x2d || id.charCodeAt(18) !== 0x2d || id.charCodeAt(23) !== 0x2d) return false;
  let word = 0;
  let nibbles = 0;
  let w = 0;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const c = id.charCodeAt(i);
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (v < 0) return false;
    word = (word << 4) | v;
    if (++nibbles === 8) {
      out[w++] = word >>> 0;
      word = 0;
      nibbles = 0;
    }
  }
  return true;
}
