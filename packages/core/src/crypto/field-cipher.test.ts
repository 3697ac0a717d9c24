import { describe, expect, it } from '@jest/globals';
import { createCipheriv } from 'node:crypto';
import { newDataKey } from './key-store';
import { openValue, sealValue, SealedValueError } from './field-cipher';

const key = newDataKey();
const context = 'subject-s-1/contact.email';
const value = 'zoë@example.com 🙂';

/** A value sealed as sealValue does, but with an IV and a tag of any length GCM itself accepts. */
function sealedWith(ivBytes: number, tagBytes: number, plaintext: string): string {
  const iv = Buffer.alloc(ivBytes, 7);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `gcm1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

function refusal(run: () => unknown): SealedValueError {
  try {
    run();
  } catch (error) {
    if (error instanceof SealedValueError) return error;
    throw error;
  }
  throw new Error('the sealed value opened');
}

describe('sealValue and openValue', () => {
  it('seal as gcm1.<12-byte IV>.<ciphertext and 16-byte tag>, base64url, and open to the value', () => {
    const sealed = sealValue(key, value, context);
    const [version, iv, body, ...rest] = sealed.split('.');
    expect(version).toBe('gcm1');
    expect(rest).toEqual([]);
    expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(body ?? '', 'base64url')).toHaveLength(Buffer.byteLength(value) + 16);
    expect(sealed).toMatch(/^gcm1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('example');
    expect(openValue(key, sealed, context)).toBe(value);
    expect(openValue(key, sealValue(key, '', context), context)).toBe('');
  });

  it('never seals a value the same way twice', () => {
    const sealed = new Set(Array.from({ length: 1_000 }, () => sealValue(key, value, context)));
    expect(sealed.size).toBe(1_000);
    expect(new Set([...sealed].map((text) => text.split('.')[1])).size).toBe(1_000);
  });

  it('refuses, naming the field and never the value, under another key, another context, or with a changed byte', () => {
    const sealed = sealValue(key, value, context);
    const [version, iv, body] = sealed.split('.') as [string, string, string];
    const flipped = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return bytes.toString('base64url');
    };
    const attempts: [string, Uint8Array, string][] = [
      ['another key', newDataKey(), sealed],
      ['a changed IV', key, `${version}.${flipped(iv, 0)}.${body}`],
      ['a changed ciphertext', key, `${version}.${iv}.${flipped(body, 0)}`],
      ['a changed tag', key, `${version}.${iv}.${flipped(body, Buffer.from(body, 'base64url').length - 1)}`],
    ];
    for (const [, withKey, text] of attempts) {
      const error = refusal(() => openValue(withKey, text, context));
      expect({ code: error.code, field: error.field, message: error.message }).toEqual({
        code: 'SEALED_VALUE_UNREADABLE',
        field: context,
        message: `the sealed value of ${context} cannot be opened with this key`,
      });
      expect(error.message).not.toContain(value);
    }
    expect(refusal(() => openValue(key, sealed, 'subject-s-2/contact.email')).field).toBe('subject-s-2/contact.email');
  });

  it('refuses text that is not a sealed value of its version and shape', () => {
    const [, iv, body] = sealValue(key, value, context).split('.') as [string, string, string];
    const shortIv = Buffer.alloc(11).toString('base64url');
    const longIv = Buffer.alloc(13).toString('base64url');
    const shortBody = Buffer.alloc(15).toString('base64url');
    for (const text of [
      '',
      'gcm1',
      'gcm1..',
      `gcm1.${iv}`,
      `gcm1.${iv}.`,
      `gcm1..${body}`,
      `gcm2.${iv}.${body}`,
      `GCM1.${iv}.${body}`,
      `gcm1.${shortIv}.${body}`,
      `gcm1.${longIv}.${body}`,
      `gcm1.${iv}.${shortBody}`,
    ])
      expect(refusal(() => openValue(key, text, context)).field).toBe(context);
  });

  it('opens a value whose body is the tag alone: an empty value', () => {
    const sealed = sealValue(key, '', context);
    expect(Buffer.from(sealed.split('.')[2] ?? '', 'base64url')).toHaveLength(16);
    expect(openValue(key, sealed, context)).toBe('');
  });

  it('opens only a 12-byte IV, even one that authenticates: GCM takes other lengths, gcm1 does not', () => {
    expect(openValue(key, sealedWith(12, 16, value), context)).toBe(value);
    for (const ivBytes of [8, 11, 13, 16]) expect(refusal(() => openValue(key, sealedWith(ivBytes, 16, value), context)).code).toBe('SEALED_VALUE_UNREADABLE');
  });

  it('refuses a short tag that authenticates, so a forger has no 4- or 8-byte tag to guess', () => {
    // A body shorter than a 16-byte tag: an 8-byte tag alone (an empty value), or 8 bytes of
    // ciphertext and a 4-byte tag. Read from the end, either would pass as a tag GCM accepts.
    for (const [tagBytes, plaintext] of [
      [8, ''],
      [4, 'zoë@ex.'],
      [12, ''],
    ] as const) {
      const sealed = sealedWith(12, tagBytes, plaintext);
      expect(Buffer.from(sealed.split('.')[2] ?? '', 'base64url').length).toBeLessThan(16);
      const error = refusal(() => openValue(key, sealed, context));
      expect({ code: error.code, field: error.field }).toEqual({ code: 'SEALED_VALUE_UNREADABLE', field: context });
    }
  });
});
