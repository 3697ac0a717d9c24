import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createFileKeyStore } from './file-key-store';
import { InMemoryKeyStore } from './in-memory-key-store';
import type { KeyStore } from './key-store';
import { openValue, sealValue } from './field-cipher';
import { pseudonymize } from './pseudonymize';

function keyStoreContract(name: string, make: () => { store: KeyStore; cleanup?: () => void }) {
  describe(`KeyStore: ${name}`, () => {
    it('creates a 32-byte key once per subject and returns it again', async () => {
      const { store, cleanup } = make();
      const [a, b] = await Promise.all([store.getOrCreate('s-1'), store.getOrCreate('s-1')]);
      expect(a.byteLength).toBe(32);
      expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
      expect(Buffer.from((await store.get('s-1'))!).equals(Buffer.from(a))).toBe(true);
      expect(Buffer.from(await store.getOrCreate('s-2')).equals(Buffer.from(a))).toBe(false);
      cleanup?.();
    });
    it('forgets a destroyed key for good and makes no new one', async () => {
      const { store, cleanup } = make();
      await store.getOrCreate('s-1');
      await store.destroy('s-1');
      expect(await store.get('s-1')).toBeUndefined();
      await expect(store.getOrCreate('s-1')).rejects.toMatchObject({ code: 'KEY_DESTROYED', subjectId: 's-1' });
      cleanup?.();
    });
  });
}

keyStoreContract('InMemoryKeyStore', () => ({ store: new InMemoryKeyStore() }));
keyStoreContract('FileKeyStore', () => {
  const directory = mkdtempSync(join(tmpdir(), 'custodian-keys-'));
  return { store: createFileKeyStore({ directory, masterKey: randomBytes(32) }), cleanup: () => rmSync(directory, { recursive: true, force: true }) };
});

describe('FileKeyStore files', () => {
  it('keeps keys wrapped, survives a reopen, and needs the right master key', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'custodian-keys-'));
    const masterKey = randomBytes(32);
    const key = await createFileKeyStore({ directory, masterKey }).getOrCreate('s-1');
    const files = readdirSync(directory);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toContain('s-1');
    expect(readFileSync(join(directory, files[0]!)).includes(Buffer.from(key))).toBe(false);
    const reopened = createFileKeyStore({ directory, masterKey });
    expect(Buffer.from((await reopened.get('s-1'))!).equals(Buffer.from(key))).toBe(true);
    await expect(createFileKeyStore({ directory, masterKey: randomBytes(32) }).get('s-1')).rejects.toThrow();
    await reopened.destroy('s-1');
    expect(readdirSync(directory).filter((f) => f.endsWith('.key'))).toEqual([]);
    expect(await createFileKeyStore({ directory, masterKey }).get('s-1')).toBeUndefined();
    rmSync(directory, { recursive: true, force: true });
  });
  it('refuses a master key of the wrong size', () => {
    expect(() => createFileKeyStore({ directory: tmpdir(), masterKey: randomBytes(16) })).toThrow(/masterKey: must be 32 bytes/);
  });
});

describe('sealed values', () => {
  it('open only with the same key and context', () => {
    const key = randomBytes(32);
    const sealed = sealValue(key, 'ann@example.com', 's-1/contact.email');
    expect(sealed).not.toContain('ann');
    expect(openValue(key, sealed, 's-1/contact.email')).toBe('ann@example.com');
    expect(() => openValue(key, sealed, 's-2/contact.email')).toThrow(/cannot be opened/);
    expect(() => openValue(randomBytes(32), sealed, 's-1/contact.email')).toThrow(/cannot be opened/);
  });
});

describe('pseudonymize', () => {
  const secret = 'a-long-service-secret';
  it('is stable, case-insensitive and hides the identifier', () => {
    const id = pseudonymize(secret, 'Ann@Example.com');
    expect(id).toBe(pseudonymize(secret, 'ann@example.com '));
    expect(id).toMatch(/^s-[0-9a-f]{64}$/);
    expect(id).not.toBe(pseudonymize('another-long-secret', 'ann@example.com'));
  });
  it('refuses a short secret', () => expect(() => pseudonymize('short', 'ann@example.com')).toThrow(/secret: must be at least 16 bytes/));
});
