import { afterEach, describe, expect, it, jest } from '@jest/globals';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.spyOn needs the CommonJS module object itself, which an ES namespace import does not give
import nodeCrypto = require('node:crypto');
import { canonicalJson } from './canonical-json';
import { GENESIS_HASH, checkLink, checkRecord, holdsId, holdsIdUtf8, sealRecord, streamMember } from './chain';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('sealed records', () => {
  const body = { type: 'T', id: 'e-1', data: { text: 'Zoë 🙂' } };
  const stream = 'subject-zoë';
  const member = streamMember(stream);

  it('checks out as sealed, carrying its place and links', () => {
    const { bytes, hash } = sealRecord(body, stream, GENESIS_HASH);
    expect(JSON.parse(bytes.toString())).toEqual({ ...body, stream, prevHash: GENESIS_HASH, hash });
    expect(checkRecord(bytes, member)).toEqual({ ok: true, prevHash: GENESIS_HASH, hash });
    expect(checkLink(bytes, member, GENESIS_HASH)).toEqual({ hash });
  });

  it('fails on any changed byte', () => {
    const { bytes } = sealRecord(body, stream, GENESIS_HASH);
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(checkRecord(tampered, member).ok).toBe(false);
    }
  });

  it('is refused in any other stream, even one whose name ends or starts like its own', () => {
    const { bytes } = sealRecord(body, 'subject-alice', GENESIS_HASH);
    for (const other of ['subject-eve', 'subject-alic', 'ubject-alice', 'subject-alice2', 'x-subject-alice', 'subject-alice"', '']) {
      expect(checkRecord(bytes, streamMember(other))).toMatchObject({ ok: false, reason: 'stream_mismatch' });
      expect(checkLink(bytes, streamMember(other), GENESIS_HASH)).toEqual({ reason: 'stream_mismatch' });
    }
    // A stream member buried in the data does not stand for the record's own.
    const decoy = sealRecord({ ...body, data: { stream: 'subject-eve' } }, 'subject-alice', GENESIS_HASH).bytes;
    expect(checkRecord(decoy, streamMember('subject-eve'))).toMatchObject({ ok: false, reason: 'stream_mismatch' });
  });

  it('finds its own top-level id, not one in its data', () => {
    const { bytes } = sealRecord({ id: 'e-1', occurredAt: 't', data: { id: 'e-2', occurredAt: 't' } }, stream, GENESIS_HASH);
    expect(holdsId(bytes, 'e-1')).toBe(true);
    expect(holdsId(bytes, 'e-2')).toBe(false);
    expect(holdsIdUtf8(bytes, Buffer.from('e-1'), 0, 3)).toBe(true);
    expect(holdsIdUtf8(bytes, Buffer.from('e-2'), 0, 3)).toBe(false);
  });

  // Ids JSON escapes or writes as UTF-8 are looked up from the end too, never anywhere in the record.
  it('finds an id JSON escapes, and not one planted in its data', () => {
    for (const [own, decoy] of [
      ['e-1', 'é-2'],
      ['é-1', 'é-2'],
      ['e"1', 'e"2'],
      ['e\\1', 'é\n2'],
    ]) {
      const { bytes } = sealRecord({ id: own, occurredAt: 't', data: { id: decoy, occurredAt: 't' } }, stream, GENESIS_HASH);
      expect([own, holdsId(bytes, own!), holdsIdUtf8(bytes, Buffer.from(own!), 0, Buffer.byteLength(own!))]).toEqual([own, true, true]);
      expect([decoy, holdsId(bytes, decoy!), holdsIdUtf8(bytes, Buffer.from(decoy!), 0, Buffer.byteLength(decoy!))]).toEqual([decoy, false, false]);
    }
  });

  describe("reading the store's buffer", () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    // A frozen, shared or concurrently read buffer must never see a byte change, not even
    // while the hash runs: the spy looks at the record at the moment it is hashed.
    it('never writes into the record it checks, not even while hashing it', () => {
      // Small, large, past the scratch space, and small again after it.
      for (const size of [10, 5_000, 70_000, 200]) {
        const { bytes, hash } = sealRecord({ ...body, data: { text: 'x'.repeat(size) } }, stream, GENESIS_HASH);
        const pristine = Buffer.from(bytes);
        const seen: boolean[] = [];
        const look = () => seen.push(bytes.equals(pristine));
        const oneShot = nodeCrypto.hash;
        jest.spyOn(nodeCrypto, 'hash').mockImplementation((...args: Parameters<typeof oneShot>) => (look(), oneShot(...args)));
        const createHash = nodeCrypto.createHash;
        jest.spyOn(nodeCrypto, 'createHash').mockImplementation((...args: Parameters<typeof createHash>) => (look(), createHash(...args)));
        expect(checkLink(bytes, member, GENESIS_HASH)).toEqual({ hash });
        expect(checkRecord(bytes, member)).toEqual({ ok: true, prevHash: GENESIS_HASH, hash });
        jest.restoreAllMocks();
        expect(seen.length).toBeGreaterThanOrEqual(2);
        expect(seen.every(Boolean)).toBe(true);
      }
    });
  });

  it('calls truncated or foreign bytes malformed', () => {
    expect(checkRecord(Buffer.from('{}'), member)).toEqual({ ok: false, reason: 'malformed' });
    expect(checkRecord(Buffer.from(JSON.stringify({ ...body, hash: 'x' })), member)).toEqual({ ok: false, reason: 'malformed' });
  });
});
