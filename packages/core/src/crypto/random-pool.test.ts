import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.spyOn needs the CommonJS module object itself, which an ES namespace import does not give
import nodeCrypto = require('node:crypto');
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

/** The pool's size: one draw from the system's random source. */
const POOL = 4096;

/**
 * Watches the system's random source: each buffer it fills and a copy of what it wrote. The
 * pool is empty afterwards (a request of the pool's whole size takes it all, refilled or not),
 * so the first request after this refills it.
 */
function watchRandomSource(): { targets: Uint8Array[]; written: Buffer[] } {
  randomBytesFromPool(POOL);
  const targets: Uint8Array[] = [];
  const written: Buffer[] = [];
  const fill = nodeCrypto.randomFillSync;
  jest.spyOn(nodeCrypto, 'randomFillSync').mockImplementation(((target: Uint8Array) => {
    fill(target);
    targets.push(target);
    written.push(Buffer.from(target));
    return target;
  }) as typeof fill);
  return { targets, written };
}

/** The bytes, one after the other, in hex: compared as text, which is fast and reads well when it differs. */
function hex(...parts: (Uint8Array | undefined)[]): string {
  return Buffer.concat(parts.map((part) => part ?? new Uint8Array())).toString('hex');
}

describe('the random pool', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('draws 4 KiB at a time and refills exactly when a request no longer fits, not before', () => {
    const source = watchRandomSource();
    const ivs = Array.from({ length: 341 }, () => randomBytesFromPool(12));
    expect(source.targets.map((target) => target.byteLength)).toEqual([POOL]);
    // 341 × 12 = 4092 bytes taken: 4 bytes left, a request of 4 fits exactly.
    const last = randomBytesFromPool(4);
    expect(source.targets).toHaveLength(1);
    const next = randomBytesFromPool(1);
    expect(source.targets).toHaveLength(2);
    // The same pool both times: one buffer of the pool's size, refilled in place.
    expect(source.targets[1]).toBe(source.targets[0]);
    expect(hex(...ivs, last)).toBe(hex(source.written[0]));
    expect(hex(next)).toBe(hex(source.written[1]?.subarray(0, 1)));
  });

  it('hands every byte the source wrote out once, in order, none skipped or repeated, across refills', () => {
    const source = watchRandomSource();
    const sizes = [32, 12, 12, 32, 4000, 12, 32, 1, 4096, 7, 4089, 12];
    const handed = sizes.map((size) => randomBytesFromPool(size));
    expect(handed.map((bytes) => bytes.length)).toEqual(sizes);
    // 32+12+12+32+4000 = 4088 fit; 12 does not: a refill, then 32 and 1; 4096 takes a fresh
    // pool whole; 7 and 4089 fill the next one exactly; 12 starts another.
    const draws = [handed.slice(0, 5), handed.slice(5, 8), handed.slice(8, 9), handed.slice(9, 11), handed.slice(11)];
    expect(source.targets).toHaveLength(draws.length);
    draws.forEach((draw, i) => {
      const length = draw.reduce((sum, bytes) => sum + bytes.length, 0);
      expect(hex(...draw)).toBe(hex(source.written[i]?.subarray(0, length)));
    });
  });

  it('draws a request larger than the pool on its own, leaving the pool where it was', () => {
    const source = watchRandomSource();
    const before = randomBytesFromPool(12);
    const large = randomBytesFromPool(POOL + 1);
    expect(source.targets.map((target) => target.byteLength)).toEqual([POOL, POOL + 1]);
    expect(source.targets[1]).toBe(large);
    const after = randomBytesFromPool(12);
    expect(source.targets).toHaveLength(2);
    expect(hex(before, after)).toBe(hex(source.written[0]?.subarray(0, 24)));
  });

  it('wipes each byte from the pool as it hands it out, so no key or IV lingers there', () => {
    const source = watchRandomSource();
    const key = randomBytesFromPool(32);
    const pool = source.targets[0] as Uint8Array;
    expect(pool.subarray(0, 32).every((byte) => byte === 0)).toBe(true);
    expect(hex(pool.subarray(32))).toBe(hex(source.written[0]?.subarray(32)));
    expect(key.every((byte) => byte === 0)).toBe(false);
    randomBytesFromPool(POOL - 32);
    expect(pool.every((byte) => byte === 0)).toBe(true);
  });
});
