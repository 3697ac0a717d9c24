import { describe, expect, it } from '@jest/globals';
import { appendFileSync, chmodSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createFileKeyStore } from './file-key-store';
import { InMemoryKeyStore } from './in-memory-key-store';
import type { KeyStore } from './key-store';
import { CustodianError } from '../errors';
import { createLedger } from '../ledger';
import type { Actor } from '../events';
import { InMemoryEventStore } from '../store';
import { conformancePolicy } from '@custodian/testing';
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
    it('fences the key as soon as destroy is called, before it resolves', async () => {
      const { store, cleanup } = make();
      await store.getOrCreate('s-1');
      const destroying = store.destroy('s-1');
      const [read, created] = await Promise.allSettled([store.get('s-1'), store.getOrCreate('s-1')]);
      await destroying;
      expect(read).toEqual({ status: 'fulfilled', value: undefined });
      expect(created).toMatchObject({ status: 'rejected', reason: { code: 'KEY_DESTROYED' } });
      cleanup?.();
    });
    it('hands out keys on memory of their own that no caller can change for another', async () => {
      const { store, cleanup } = make();
      const key = await store.getOrCreate('s-1');
      const original = Buffer.from(key);
      expect(key.buffer.byteLength).toBe(32);
      expect((await store.get('s-1'))!.buffer.byteLength).toBe(32);
      key.fill(0xff);
      (await store.get('s-1'))!.fill(0xee);
      expect(Buffer.from(await store.getOrCreate('s-1')).equals(original)).toBe(true);
      expect(Buffer.from((await store.get('s-1'))!).equals(original)).toBe(true);
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
    await expect(createFileKeyStore({ directory, masterKey: randomBytes(32) }).get('s-1')).rejects.toMatchObject({ code: 'KEY_UNWRAP_FAILED' });
    await reopened.destroy('s-1');
    expect(readdirSync(directory).filter((f) => f.endsWith('.key'))).toEqual([]);
    expect(await createFileKeyStore({ directory, masterKey }).get('s-1')).toBeUndefined();
    rmSync(directory, { recursive: true, force: true });
  });
  const tempFolder = () => mkdtempSync(join(tmpdir(), 'custodian-keys-'));
  const keyFileOf = (directory: string, subjectId: string) => join(directory, `${createHash('sha256').update(subjectId).digest('hex')}.key`);

  it.each([
    ['a wrong master key', 'KEY_UNWRAP_FAILED', () => undefined, true],
    [
      'a flipped bit',
      'KEY_UNWRAP_FAILED',
      (file: string) =>
        writeFileSync(
          file,
          readFileSync(file).map((b, i) => (i === 20 ? b ^ 1 : b)),
        ),
      false,
    ],
    ['a key file copied from another subject', 'KEY_UNWRAP_FAILED', (file: string, other: string) => writeFileSync(file, readFileSync(other)), false],
    ['a truncated key file', 'KEY_FILE_CORRUPT', (file: string) => truncateSync(file, 30), false],
    ['an empty key file', 'KEY_FILE_CORRUPT', (file: string) => truncateSync(file, 0), false],
    ['a padded key file', 'KEY_FILE_CORRUPT', (file: string) => writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(1)])), false],
  ] as const)('reports %s as a typed error that names the subject and file but no key bytes', async (_what, code, damage, wrongMaster) => {
    const directory = tempFolder();
    const masterKey = randomBytes(32);
    const store = createFileKeyStore({ directory, masterKey });
    const key = await store.getOrCreate('s-1');
    await store.getOrCreate('s-2');
    const file = keyFileOf(directory, 's-1');
    const wrapped = readFileSync(file);
    damage(file, keyFileOf(directory, 's-2'));
    const reader = createFileKeyStore({ directory, masterKey: wrongMaster ? randomBytes(32) : masterKey });
    for (const attempt of [() => reader.get('s-1'), () => reader.getOrCreate('s-1')]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CustodianError);
      expect(error).toMatchObject({ code, subjectId: 's-1', file: `${createHash('sha256').update('s-1').digest('hex')}.key` });
      const shown = `${(error as Error).message}${(error as Error).stack}${JSON.stringify(error)}`;
      for (const secret of [key, wrapped, masterKey]) {
        expect(shown).not.toContain(Buffer.from(secret).toString('hex'));
        expect(shown).not.toContain(Buffer.from(secret).toString('base64'));
      }
    }
    rmSync(directory, { recursive: true, force: true });
  });

  it('reports a wrong master key through ledger.collect as KEY_UNWRAP_FAILED, not a cipher error', async () => {
    const directory = tempFolder();
    const actor: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
    const collect = (keys: KeyStore) =>
      createLedger({ store, keys, policy: conformancePolicy }).collect({
        subjectId: 's-1',
        actor,
        source: 'checkout-form',
        purposes: ['order.fulfilment'],
        notice: { id: 'privacy-notice', version: 'v3' },
        data: { 'contact.email': 'ann@example.com' },
      });
    const store = new InMemoryEventStore();
    await collect(createFileKeyStore({ directory, masterKey: randomBytes(32) }));
    // The ledger seals each category under a key of its own (subject-keys/: subject, category, generation).
    const emailKey = 's-1/category/contact.email/0';
    await expect(collect(createFileKeyStore({ directory, masterKey: randomBytes(32) }))).rejects.toMatchObject({ code: 'KEY_UNWRAP_FAILED', subjectId: emailKey });
    truncateSync(keyFileOf(directory, emailKey), 59);
    await expect(collect(createFileKeyStore({ directory, masterKey: randomBytes(32) }))).rejects.toMatchObject({ code: 'KEY_FILE_CORRUPT', actualBytes: 59 });
    rmSync(directory, { recursive: true, force: true });
  });

  it('tightens a key folder open to group and others to 0700, and writes every file 0600', async () => {
    const parent = tempFolder();
    const directory = join(parent, 'keys');
    mkdirSync(directory);
    chmodSync(directory, 0o777);
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    await store.getOrCreate('s-2');
    await store.destroy('s-2');
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    const files = readdirSync(directory);
    expect(files.map((f) => f.split('.')[1]).sort()).toEqual(['destroyed', 'key']);
    for (const file of files) expect(statSync(join(directory, file)).mode & 0o777).toBe(0o600);
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates a missing key folder with mode 0700', async () => {
    const parent = tempFolder();
    const directory = join(parent, 'a', 'keys');
    await createFileKeyStore({ directory, masterKey: randomBytes(32) }).getOrCreate('s-1');
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    rmSync(parent, { recursive: true, force: true });
  });

  it('refuses a key folder open to others that it cannot tighten (not its owner) with KEY_FOLDER_INSECURE', () => {
    // The store must run as someone other than the folder's owner: as root, a child as
    // "nobody" on a folder root owns; otherwise a child on the root folder (0755, root's).
    const asRoot = process.getuid?.() === 0;
    const parent = tempFolder();
    const directory = asRoot ? join(parent, 'keys') : '/';
    if (asRoot) {
      chmodSync(parent, 0o755);
      mkdirSync(directory);
      chmodSync(directory, 0o777);
    }
    const mode = statSync(directory).mode & 0o777;
    const child = spawnSync(process.execPath, [join(__dirname, 'test-support', 'open-key-folder.js'), directory], {
      encoding: 'utf8',
      cwd: __dirname,
      ...(asRoot && { uid: 65534, gid: 65534 }),
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ code: 'KEY_FOLDER_INSECURE', directory, mode: `0${mode.toString(8)}`, reason: 'EPERM' });
    expect(statSync(directory).mode & 0o777).toBe(mode);
    rmSync(parent, { recursive: true, force: true });
  }, 60_000);

  it('overwrites the key file in place with zeros over its full length before unlinking it, never truncating it', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    const witness = join(directory, 'witness');
    // A second name for the same inode: it sees what happens to the key's own blocks.
    linkSync(keyFileOf(directory, 's-1'), witness);
    // Longer than a wrapped key, as a damaged file may be: all of it must be overwritten.
    appendFileSync(witness, Buffer.alloc(8192, 0xa5));
    const length = statSync(witness).size;
    const sizes = new Set<number>();
    let destroyed = false;
    const destroying = store.destroy('s-1').finally(() => (destroyed = true));
    // Watch the inode's size on every turn of the event loop while destroy runs: a truncation shows as a shrink.
    while (!destroyed) {
      sizes.add(statSync(witness).size);
      await new Promise((r) => setImmediate(r));
    }
    await destroying;
    expect([...sizes]).toEqual([length]);
    expect(readFileSync(witness).equals(Buffer.alloc(length))).toBe(true);
    expect(
      readdirSync(directory)
        .filter((f) => f !== 'witness')
        .map((f) => f.split('.')[1]),
    ).toEqual(['destroyed']);
    rmSync(directory, { recursive: true, force: true });
  });

  it('refuses a master key of the wrong size', () => {
    // A folder of its own: a store that failed to refuse would tighten it, and the system's temp folder must never be.
    const directory = join(tempFolder(), 'keys');
    expect(() => createFileKeyStore({ directory, masterKey: randomBytes(16) })).toThrow(/masterKey: must be 32 bytes/);
    rmSync(dirname(directory), { recursive: true, force: true });
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
