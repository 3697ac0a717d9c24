import { describe, expect, it } from '@jest/globals';
import { toJson } from './json';
import { showControls, showControlsInLines } from './terminal';

// Every character a terminal (or a bidi-aware renderer) would act on rather than show.
const ACTED_ON = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x061c,
  0x200e,
  0x200f,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
].map((code) => String.fromCharCode(code));

describe('control characters in output', () => {
  it('are each shown as an escape, and nothing else is touched', () => {
    for (const c of ACTED_ON) expect(showControls(`a${c}b`)).toMatch(/^a\\(x[0-9a-f]{2}|u[0-9a-f]{4}|n|r|t)b$/);
    expect(showControls('\x1b[2J\x1b[1;1HChain intact')).toBe('\\x1b[2J\\x1b[1;1HChain intact');
    expect(showControls('tab\there\r\nnext\u202eevil\u2069')).toBe('tab\\there\\r\\nnext\\u202eevil\\u2069');
    const printable = 'Brightmail GmbH, Zürich – «façade» 東京 مرحبا 🙂 \\x1b';
    expect(showControls(printable)).toBe(printable);
  });

  it('keep the line breaks of whole lines of output, and escape every other', () => {
    expect(showControlsInLines('one\ntwo\r\x1b[2K\u009b')).toBe('one\ntwo\\r\\x1b[2K\\x9b');
  });

  it('are \\u escapes in JSON, which still reads back as the same value', () => {
    const value = { text: ACTED_ON.join('') };
    const json = toJson(value);
    expect(
      json
        .slice(0, -1)
        .split('\n')
        .some((line) => ACTED_ON.some((c) => line.includes(c))),
    ).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});
