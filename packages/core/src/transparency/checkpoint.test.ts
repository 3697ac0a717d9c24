import { describe, expect, it } from '@jest/globals';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { MalformedTransparencyTextError } from './errors';

// The C2SP tlog-checkpoint spec's example body.
const EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const ROOT = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');

const refusedAt = (text: string, field: string) =>
  expect(() => parseCheckpoint(text)).toThrow(expect.objectContaining({ code: 'MALFORMED_TRANSPARENCY_TEXT', format: 'checkpoint', field }));

describe('tlog-checkpoint bodies', () => {
  it('parse and format the spec example byte for byte', () => {
    const checkpoint = parseCheckpoint(EXAMPLE);
    expect(checkpoint).toEqual({ origin: 'example.com/behind-the-sofa', size: 20852163, root: ROOT });
    expect(formatCheckpoint(checkpoint)).toBe(EXAMPLE);
  });

  it('keep extension lines, and the empty tree of size 0', () => {
    const text = `${EXAMPLE}ext one\next two\n`;
    expect(parseCheckpoint(text).extensions).toEqual(['ext one', 'ext two']);
    expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
    expect(parseCheckpoint('log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n').size).toBe(0);
  });

  it('refuse a body that does not end with a newline or lacks a line', () => {
    refusedAt(EXAMPLE.slice(0, -1), 'text');
    refusedAt('example.com/log\n12\n', 'root');
    refusedAt('example.com/log\n', 'size');
    refusedAt('\n', 'origin');
    refusedAt('\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', 'origin');
  });

  it('refuse sizes with leading zeroes, signs, exponents, spaces, or beyond 2^53 - 1', () => {
    for (const size of ['012', '00', '-1', '+1', '1e3', ' 1', '1 ', '0x10', '', '9007199254740992', '1.0'])
      refusedAt(`example.com/log\n${size}\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`, 'size');
  });

  it('refuse roots that are not canonical padded base64 of 32 bytes', () => {
    for (const root of [
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I',
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=',
      'CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=',
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==',
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA',
      '',
    ])
      refusedAt(`example.com/log\n1\n${root}\n`, 'root');
  });

  it('refuse empty extension lines, carriage returns and control characters', () => {
    refusedAt(`${EXAMPLE}\n`, 'extension line 1');
    refusedAt(`${EXAMPLE}ok\n\n`, 'extension line 2');
    refusedAt(EXAMPLE.replace('\n', '\r\n'), 'origin');
    refusedAt(EXAMPLE.replace('20852163\n', '20852163\r\n'), 'size');
    refusedAt(`exa\tmple.com\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`, 'origin');
  });

  it('refuse to format what it could not parse back', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, root: ROOT })).toThrow(MalformedTransparencyTextError);
    expect(() => formatCheckpoint({ origin: 'log', size: -1, root: ROOT })).toThrow(MalformedTransparencyTextError);
    expect(() => formatCheckpoint({ origin: 'log', size: 1, root: ROOT.subarray(1) })).toThrow(MalformedTransparencyTextError);
    const smuggled = 'log\n2\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
    expect(() => formatCheckpoint({ origin: smuggled, size: 1, root: ROOT })).toThrow(expect.objectContaining({ field: 'origin' }));
    expect(() => formatCheckpoint({ origin: 'log', size: 1, root: ROOT, extensions: ['a\nb'] })).toThrow(MalformedTransparencyTextError);
  });
});
