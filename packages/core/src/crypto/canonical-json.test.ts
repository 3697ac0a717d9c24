import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type * as CanonicalJsonModule from './canonical-json';
import { canonicalJson, canonicalJsonWithout } from './canonical-json';

describe('canonicalJson', () => {
  it('writes every string as JSON.stringify does, the plain ones and those that need escapes', () => {
    const boundaries = [0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0xe9, 0x2028];
    const strings = ['', 'plain text', 'say "hi"', 'back\\slash', 'tab\there', 'line\nbreak', 'Zoë', '🙂', ...boundaries.map((code) => `a${String.fromCharCode(code)}b`)];
    for (const text of strings) expect(canonicalJson(text)).toBe(JSON.stringify(text));
  });

  it('writes numbers, booleans and null as JSON does, and refuses non-finite numbers', () => {
    for (const value of [0, -0, 1, -1.5, 1e21, 2 ** 53, true, false, null]) expect(canonicalJson(value)).toBe(JSON.stringify(value));
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(() => canonicalJson(value)).toThrow(new TypeError('canonical JSON has no non-finite numbers'));
  });

  it('sorts keys by UTF-16 code unit at every depth, whatever order they were written in', () => {
    const keys = ['b', 'B', 'a', 'é', 'Z', 'aa', 'a ', '_', '1'];
    const expected = `{${[...keys]
      .sort()
      .map((key) => `"${key}":1`)
      .join(',')}}`;
    expect(expected).toBe('{"1":1,"B":1,"Z":1,"_":1,"a":1,"a ":1,"aa":1,"b":1,"é":1}');
    expect(canonicalJson(Object.fromEntries(keys.map((key) => [key, 1])))).toBe(expected);
    expect(canonicalJson(Object.fromEntries([...keys].sort().map((key) => [key, 1])))).toBe(expected);
    expect(canonicalJson(Object.fromEntries([...keys].reverse().map((key) => [key, 1])))).toBe(expected);
    expect(canonicalJson({ outer: { z: [{ b: 2, a: 1 }], y: true } })).toBe('{"outer":{"y":true,"z":[{"a":1,"b":2}]}}');
  });

  it('is sorted when only the last two keys are out of order', () => {
    expect(canonicalJson({ a: 1, b: 2, d: 4, c: 3 })).toBe('{"a":1,"b":2,"c":3,"d":4}');
  });

  it('escapes keys as JSON does', () => {
    expect(canonicalJson({ 'say "hi"': 1, 'back\\slash': 2, 'line\nbreak': 3 })).toBe(JSON.stringify({ 'back\\slash': 2, 'line\nbreak': 3, 'say "hi"': 1 }));
  });

  it('leaves out undefined members, keeps null ones, and writes empty objects and arrays', () => {
    expect(canonicalJson({ a: undefined, b: null, c: {}, d: [] })).toBe('{"b":null,"c":{},"d":[]}');
    expect(canonicalJson({ only: undefined })).toBe('{}');
    expect(canonicalJson({ a: undefined, b: 1, c: undefined, d: 2 })).toBe('{"b":1,"d":2}');
  });

  it('writes an array item JSON cannot hold as null, as JSON.stringify does, so the text stays JSON', () => {
    const items = [1, undefined, 'x', () => 0, [undefined]];
    expect(canonicalJson(items)).toBe(JSON.stringify(items));
    expect(JSON.parse(canonicalJson(items))).toEqual([1, null, 'x', null, [null]]);
  });

  it('gives the same text for the same value, however often a key was seen before', () => {
    const value = { 'key-seen-often': 'v', nested: { 'key-seen-often': ['w'] } };
    const first = canonicalJson(value);
    for (let i = 0; i < 3; i++) expect(canonicalJson(value)).toBe(first);
    for (let i = 0; i < 10_050; i++) canonicalJson({ [`filler-${i}`]: i });
    expect(canonicalJson(value)).toBe(first);
    expect(canonicalJson({ 'never-seen-before-the-cache-filled': 1 })).toBe('{"never-seen-before-the-cache-filled":1}');
  });
});

describe('canonicalJsonWithout', () => {
  it('leaves out the named members at the top only', () => {
    const record = { hash: 'h', data: { hash: 'inner', b: 1 }, type: 'T', prevHash: 'p' };
    expect(canonicalJsonWithout(record, new Set(['hash']))).toBe('{"data":{"b":1,"hash":"inner"},"prevHash":"p","type":"T"}');
    expect(canonicalJsonWithout(record, new Set(['hash', 'prevHash']))).toBe('{"data":{"b":1,"hash":"inner"},"type":"T"}');
    expect(canonicalJsonWithout(record, new Set())).toBe(canonicalJson(record));
  });
});

describe('the quoting of strings and keys', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** A copy of the module as it is loaded: its cache empty, whatever other tests put in this one's. */
  async function freshModule(): Promise<typeof CanonicalJsonModule> {
    let loaded: typeof CanonicalJsonModule | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = await import('./canonical-json');
    });
    return loaded as typeof CanonicalJsonModule;
  }

  /** How often `run` quotes `key` itself rather than reusing a quoted key it keeps. */
  function quotingsOf(key: string, run: () => void): number {
    const stringify = jest.spyOn(JSON, 'stringify');
    run();
    const times = stringify.mock.calls.filter(([value]) => value === key).length;
    stringify.mockRestore();
    return times;
  }

  it('writes a plain string itself, not through JSON.stringify: the hot path of hashing every record', async () => {
    const { canonicalJson: fresh } = await freshModule();
    for (const plain of ['plain text', ' !#[]~', '']) expect(quotingsOf(plain, () => expect(fresh(plain)).toBe(`"${plain}"`))).toBe(0);
    for (const [escaped, json] of [
      ['say "hi"', '"say \\"hi\\""'],
      ['back\\slash', '"back\\\\slash"'],
      ['line\nbreak', '"line\\nbreak"'],
      ['\u007f', '"\u007f"'],
      ['é', '"é"'],
    ] as const)
      expect(quotingsOf(escaped, () => expect(fresh(escaped)).toBe(json))).toBe(1);
  });

  it('keeps a key quoted once and reuses it, up to 10,000 keys and not one more', async () => {
    const { canonicalJson: fresh } = await freshModule();
    const seen = Object.fromEntries(Array.from({ length: 9_999 }, (_, i) => [`key-${i}`, i]));
    expect(quotingsOf('key-0', () => fresh(seen))).toBe(1);
    expect(quotingsOf('key-0', () => fresh(seen))).toBe(0);
    // The 10,000th key is kept...
    expect(quotingsOf('ten-thousandth', () => fresh({ 'ten-thousandth': 1 }))).toBe(1);
    expect(quotingsOf('ten-thousandth', () => fresh({ 'ten-thousandth': 2 }))).toBe(0);
    // ...the 10,001st is not: quoted anew each time, the cache no bigger, the text the same.
    expect(quotingsOf('one-too-many', () => expect(fresh({ 'one-too-many': 1 })).toBe('{"one-too-many":1}'))).toBe(1);
    expect(quotingsOf('one-too-many', () => expect(fresh({ 'one-too-many': 1 })).toBe('{"one-too-many":1}'))).toBe(1);
    expect(quotingsOf('key-9998', () => fresh(seen))).toBe(0);
  });
});
