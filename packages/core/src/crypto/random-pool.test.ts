import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { openValue, sealValue } from './field-cipher';
import { newDataKey } from './key-store';
import { randomBytesFromPool } from './random-pool';

const COUNT = 100_000;

/** Distinct values, none all-zero, and bytes that look uniform: byte-frequency chi-square and bit balance. */
function expectFreshRandom(values: Buffer[], size: number): void {
  expect(values.every((v) => v.length === size)).toBe(true);
  expect(new Set(values.map((v) => v.toString('hex'))).size).toBe(values.length);
  expect(values.filter((v) => v.every((b) => b === 0))).toEqual([]);
  const counts = new Array<number>(256).fill(0);
  let ones = 0;
  for (const value of values)
    for (const byte of value) {
      counts[byte]! += 1;
      for (let bits = byte; bits; bits >>= 1) ones += bits & 1;
    }
  const total = values.length * size;
  const expected = total / 256;
  const chiSquare = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
  // 255 degrees of freedom: mean 255, standard deviation 22.6; 400 is over six deviations out.
  expect(chiSquare).toBeLessThan(400);
  // Over millions of bits the share of ones is within 0.0002 of one half (one deviation); 0.002 is ten.
  expect(Math.abs(ones / (total * 8) - 0.5)).toBeLessThan(0.002);
}

describe('the random source of keys and IVs', () => {
  it(`gives ${COUNT.toLocaleString('en')} distinct, non-zero, uniform data keys`, () => {
    expectFreshRandom(Array.from({ length: COUNT }, newDataKey), 32);
  });

  it(`gives ${COUNT.toLocaleString('en')} distinct, non-zero, uniform IVs to sealed values`, () => {
    const key = randomBytes(32);
    const ivs = Array.from({ length: COUNT }, () => Buffer.from(sealValue(key, 'v', 's-1/contact.email').split('.')[1]!, 'base64url'));
    expectFreshRandom(ivs, 12);
  });

  it('seals the same value twice into different ciphertexts that both open', () => {
    const key = newDataKey();
    for (let i = 0; i < 1000; i++) {
      const [a, b] = [sealValue(key, 'ann@example.com', 's-1/contact.email'), sealValue(key, 'ann@example.com', 's-1/contact.email')];
      expect(a).not.toBe(b);
      expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
      expect([openValue(key, a, 's-1/contact.email'), openValue(key, b, 's-1/contact.email')]).toEqual(['ann@example.com', 'ann@example.com']);
    }
  });

  it('hands out keys and IVs on memory of their own, never views into a shared buffer', () => {
    const keys = Array.from({ length: 300 }, newDataKey);
    for (const key of keys) expect([key.buffer.byteLength, key.byteOffset]).toEqual([32, 0]);
    for (const size of [12, 32, 5000]) expect(randomBytesFromPool(size).buffer.byteLength).toBe(size);
    // A caller scribbling over its key changes no other key, handed out before or after.
    const copies = keys.map((k) => Buffer.from(k));
    keys[0]!.fill(0);
    const later = Array.from({ length: 300 }, newDataKey);
    expect(keys.slice(1).every((k, i) => k.equals(copies[i + 1]!))).toBe(true);
    expect(later.filter((k) => k.every((b) => b === 0))).toEqual([]);
  });
});
