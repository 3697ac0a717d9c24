import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from './canonical-json';
import { GENESIS_HASH, checkRecord, sealRecord } from './chain';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('sealed records', () => {
  const body = { type: 'T', id: 'e-1', data: { text: 'Zoë 🙂' } };

  it('checks out as sealed, carrying its links', () => {
    const { bytes, hash } = sealRecord(body, GENESIS_HASH);
    expect(JSON.parse(bytes.toString())).toEqual({ ...body, prevHash: GENESIS_HASH, hash });
    expect(checkRecord(bytes)).toEqual({ ok: true, prevHash: GENESIS_HASH, hash });
  });

  it('fails on any changed byte', () => {
    const { bytes } = sealRecord(body, GENESIS_HASH);
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(checkRecord(tampered).ok).toBe(false);
    }
  });

  it('calls truncated or foreign bytes malformed', () => {
    expect(checkRecord(Buffer.from('{}'))).toEqual({ ok: false, reason: 'malformed' });
    expect(checkRecord(Buffer.from(JSON.stringify({ ...body, hash: 'x' })))).toEqual({ ok: false, reason: 'malformed' });
  });
});
