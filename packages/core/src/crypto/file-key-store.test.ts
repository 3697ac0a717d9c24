import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileKeyStore } from './file-key-store';

// The store's error paths, provoked with real files (no mocks): a folder where a file is
// expected, a dangling symlink, a file taken away mid-operation, paths that the kernel
// refuses only for the longer of the store's file names. They work as root too, where
// permission errors do not happen.

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'custodian-key-paths-'));
  folders.push(folder);
  return folder;
}

const hashOf = (subjectId: string) => createHash('sha256').update(subjectId).digest('hex');
const keyFileOf = (directory: string, subjectId: string) => join(directory, `${hashOf(subjectId)}.key`);
/** The suffixes of a subject's files in the folder: `key`, `destroyed`, `<random>.tmp`... */
const filesOf = (directory: string, subjectId: string) =>
  readdirSync(directory)
    .filter((f) => f.startsWith(`${hashOf(subjectId)}.`))
    .map((f) => f.slice(65));

/** Turns the event loop until `condition` holds, so a test can act between two of the store's file operations. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 200_000; turn++) {
    if (condition()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never saw ${what}`);
}

/** Rejection reason of `promise`, or a failure if it resolves. */
async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (reason: unknown) => reason,
  );
}

/**
 * A key folder whose path is exactly `length` characters long. Linux refuses a path of
 * 4,096 characters or more (ENAMETOOLONG), so the length picks which of the store's file
 * names still fit: `<hash>.key` adds 69, `<hash>.destroyed` 75, `<hash>.<random>.tmp` 86,
 * `<hash>.<random>.shred` 88.
 */
function folderOfLength(length: number): string {
  let path = tempFolder();
  while (path.length < length) path = join(path, 'k'.repeat(Math.min(200, length - path.length - 1)));
  expect(path.length).toBe(length);
  return path;
}
const PATH_MAX = 4096;

/** The number of file descriptors this process holds open. */
const openDescriptors = () => readdirSync('/proc/self/fd').length;
/** Whether this process holds a file descriptor open on `path`. */
const descriptorsOn = (path: string) =>
  readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(join('/proc/self/fd', fd)) === path;
    } catch {
      return false;
    }
  });

describe('FileKeyStore: a destruction that begins while a creation is under way in this process', () => {
  it('refuses a getOrCreate that had not yet read the existing key when destroy began', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    // Both calls start at once: the creation reads the key file after the destruction began.
    const creating = store.getOrCreate('s-1');
    const destroying = store.destroy('s-1');
    expect(await reasonOf(creating)).toMatchObject({ code: 'KEY_DESTROYED', subjectId: 's-1' });
    await destroying;
    expect(filesOf(directory, 's-1')).toEqual(['destroyed']);
  });

  it('refuses a creation whose temp file is written when destroy begins, and never gives its key the key file name', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const creating = store.getOrCreate('s-1');
    await until(() => filesOf(directory, 's-1').some((f) => f.endsWith('.tmp')), 'the temp file');
    const destroying = store.destroy('s-1');
    // Checked the moment the refusal arrives, before the queued destruction has touched the folder.
    const keyFileAtRefusal = await creating.then(
      () => 'resolved',
      (error: unknown) => ({ code: (error as { code?: string }).code, keyFile: existsSync(keyFileOf(directory, 's-1')) }),
    );
    expect(keyFileAtRefusal).toEqual({ code: 'KEY_DESTROYED', keyFile: false });
    await destroying;
    expect(filesOf(directory, 's-1')).toEqual(['destroyed']);
  });

  it('refuses a creation whose key file is already linked when destroy begins', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const creating = store.getOrCreate('s-1');
    await until(() => existsSync(keyFileOf(directory, 's-1')), 'the key file');
    const destroying = store.destroy('s-1');
    expect(await reasonOf(creating)).toMatchObject({ code: 'KEY_DESTROYED', subjectId: 's-1', message: 'the key of subject s-1 was destroyed' });
    await destroying;
    expect(filesOf(directory, 's-1')).toEqual(['destroyed']);
  });

  it('refuses with KEY_DESTROYED, never a raw file error, when destroy takes the temp file at any step of a creation', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const unexpected: string[] = [];
    // The temp file is taken at a varying point: before the tombstone check, between it and the link, after the link.
    for (let turns = 0; turns < 16; turns++) {
      const subjectId = `s-${turns}`;
      let settled = false;
      const creating = store.getOrCreate(subjectId);
      void creating.finally(() => (settled = true)).catch(() => undefined);
      await until(() => filesOf(directory, subjectId).some((f) => f.endsWith('.tmp')), 'the temp file');
      for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
      // A creation that finished before the destruction began keeps its key; any other is refused.
      const finishedFirst = settled;
      const destroying = store.destroy(subjectId);
      // What a destruction in another process would do first: take the temp file away.
      for (const file of filesOf(directory, subjectId).filter((f) => f.endsWith('.tmp'))) unlinkSync(join(directory, `${hashOf(subjectId)}.${file}`));
      const outcome = await creating.then(
        () => 'resolved',
        (error: unknown) => String((error as { code?: string }).code),
      );
      if (outcome !== (finishedFirst ? 'resolved' : 'KEY_DESTROYED')) unexpected.push(`${subjectId}: ${outcome}`);
      await destroying;
      expect(filesOf(directory, subjectId)).toEqual(['destroyed']);
    }
    expect(unexpected).toEqual([]);
  });
  it('refuses with KEY_DESTROYED when destroy takes the temp file after the creation found no tombstone but before it linked', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const unexpected: string[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const subjectId = `s-${attempt}`;
      const creating = store.getOrCreate(subjectId);
      const tempName = () => filesOf(directory, subjectId).find((f) => f.endsWith('.tmp'));
      await until(() => tempName() !== undefined, 'the temp file');
      const temp = join(directory, `${hashOf(subjectId)}.${tempName() ?? ''}`);
      // The creation looks for the tombstone right after it closes its temp file, and links it after that look:
      // act on the first turn the file is closed, between the two.
      await until(() => !descriptorsOn(temp), 'the temp file closed');
      // The descriptor is gone a turn before the store hears of it; how many turns the look itself takes varies.
      for (let i = 0; i < 1 + (attempt % 3); i++) await new Promise((r) => setImmediate(r));
      const destroying = store.destroy(subjectId);
      rmSync(temp, { force: true });
      const outcome = await creating.then(
        () => 'resolved',
        (error: unknown) => String((error as { code?: string }).code),
      );
      if (outcome !== 'KEY_DESTROYED') unexpected.push(`${subjectId}: ${outcome}`);
      await destroying;
      expect(filesOf(directory, subjectId)).toEqual(['destroyed']);
    }
    expect(unexpected).toEqual([]);
  });
});

describe('FileKeyStore: a temp file or key name taken by someone else', () => {
  it('reports a temp file that vanished without a destruction as the link error it is, and retries nothing', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const creating = store.getOrCreate('s-1');
    await until(() => filesOf(directory, 's-1').some((f) => f.endsWith('.tmp')), 'the temp file');
    // Unlinked while the store still writes it: its writes go on, its link then fails.
    for (const file of filesOf(directory, 's-1')) unlinkSync(join(directory, `${hashOf('s-1')}.${file}`));
    expect(await reasonOf(creating)).toMatchObject({ code: 'ENOENT', syscall: 'link' });
    expect(filesOf(directory, 's-1')).toEqual([]);
  });

  it('takes the key another creator linked first (EEXIST) as the subject key, and leaves no temp file', async () => {
    const masterKey = randomBytes(32);
    // Their key: the wrapped file another store made for the same subject and master key.
    const elsewhere = tempFolder();
    const theirs = Buffer.from(await createFileKeyStore({ directory: elsewhere, masterKey }).getOrCreate('s-1'));
    const wrapped = readFileSync(keyFileOf(elsewhere, 's-1'));

    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey });
    const creating = store.getOrCreate('s-1');
    // The first read found no key; their key file lands once this creator's temp file is written, before it links.
    await until(() => filesOf(directory, 's-1').some((f) => f.endsWith('.tmp')), 'the temp file');
    writeFileSync(keyFileOf(directory, 's-1'), wrapped);

    const key = Buffer.from(await creating);
    expect(key.equals(theirs)).toBe(true);
    expect(filesOf(directory, 's-1')).toEqual(['key']);
    expect(readFileSync(keyFileOf(directory, 's-1')).equals(wrapped)).toBe(true);
  });

  it('gives callers asking at once one creation: the second does not read the folder again', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const first = store.getOrCreate('s-1');
    const second = store.getOrCreate('s-1');
    // Once the first has its key the file is damaged; a second creation of its own would read the damage.
    const key = await first.then((k) => {
      truncateSync(keyFileOf(directory, 's-1'), 0);
      return Buffer.from(k);
    });
    expect(Buffer.from(await second).equals(key)).toBe(true);
  });
});

describe('FileKeyStore: errors other than a missing file are reported, not taken for absence', () => {
  it('reports a folder where the key file should be (EISDIR) instead of answering that there is no key', async () => {
    const directory = tempFolder();
    mkdirSync(keyFileOf(directory, 's-1'));
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    expect(await reasonOf(store.get('s-1'))).toMatchObject({ code: 'EISDIR' });
    expect(await reasonOf(store.getOrCreate('s-1'))).toMatchObject({ code: 'EISDIR' });
    expect(filesOf(directory, 's-1')).toEqual(['key']);
  });

  it('reports a key file name taken by a link to nothing (KEY_FILE_UNREADABLE) instead of answering no key, or retrying a creation forever', async () => {
    const directory = tempFolder();
    const masterKey = randomBytes(32);
    const key = await createFileKeyStore({ directory, masterKey }).getOrCreate('s-1');
    const wrapped = readFileSync(keyFileOf(directory, 's-1'));
    rmSync(keyFileOf(directory, 's-1'));
    symlinkSync(join(directory, 'nowhere'), keyFileOf(directory, 's-1'));
    const store = createFileKeyStore({ directory, masterKey });
    const refused = { code: 'KEY_FILE_UNREADABLE', subjectId: 's-1', file: `${hashOf('s-1')}.key`, reason: 'a symbolic link to nothing' };
    expect(await reasonOf(store.get('s-1'))).toMatchObject(refused);
    expect(await reasonOf(store.getOrCreate('s-1'))).toMatchObject(refused);
    expect(filesOf(directory, 's-1')).toEqual(['key']);
    expect(readdirSync(directory)).not.toContain('nowhere');
    expect(String(await reasonOf(store.get('s-1')))).toContain(`the key file ${hashOf('s-1')}.key of subject s-1 cannot be read as a key file: a symbolic link to nothing`);
    // Once the link leads to the key's bytes, it is read like the key file it names.
    writeFileSync(join(directory, 'nowhere'), wrapped);
    expect(Buffer.from((await store.get('s-1')) ?? [])).toEqual(Buffer.from(key));
  });

  it('reports a tombstone it cannot look up (ENAMETOOLONG) instead of taking the subject for never destroyed', async () => {
    // `<hash>.key` fits in the path limit, `<hash>.destroyed` does not.
    const directory = folderOfLength(PATH_MAX - 72);
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    expect(await reasonOf(store.get('s-1'))).toMatchObject({ code: 'ENAMETOOLONG', syscall: 'lstat' });
    expect(await reasonOf(store.getOrCreate('s-1'))).toMatchObject({ code: 'ENAMETOOLONG', syscall: 'lstat' });
    expect(readdirSync(directory)).toEqual([]);
  });

  it('reports a key file it cannot move out of reach (ENAMETOOLONG on rename), and the subject stays destroyed everywhere', async () => {
    // `<hash>.<random>.tmp` fits in the path limit, `<hash>.<random>.shred` does not.
    const directory = folderOfLength(PATH_MAX - 87);
    const masterKey = randomBytes(32);
    const store = createFileKeyStore({ directory, masterKey });
    await store.getOrCreate('s-1');
    expect(await reasonOf(store.destroy('s-1'))).toMatchObject({ code: 'ENAMETOOLONG', syscall: 'rename' });
    // The tombstone was written before the failure: the erasure fence holds in this process and in any other.
    expect(filesOf(directory, 's-1').sort()).toEqual(['destroyed', 'key']);
    expect(await store.get('s-1')).toBeUndefined();
    expect(await reasonOf(store.getOrCreate('s-1'))).toMatchObject({ code: 'KEY_DESTROYED' });
    const other = createFileKeyStore({ directory, masterKey });
    expect(await other.get('s-1')).toBeUndefined();
    expect(await reasonOf(other.getOrCreate('s-1'))).toMatchObject({ code: 'KEY_DESTROYED' });
  });

  it('answers get and getOrCreate from the fence while destroying, without touching the folder, and keeps the fence if destroying fails', async () => {
    const parent = tempFolder();
    const directory = join(parent, 'keys');
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    const destroying = store.destroy('s-1');
    // Before the destruction's first file operation, the folder becomes a file: every read in it fails (ENOTDIR).
    rmSync(directory, { recursive: true });
    writeFileSync(directory, 'not a folder');
    const [read, created, destroyed] = await Promise.allSettled([store.get('s-1'), store.getOrCreate('s-1'), destroying]);
    expect(read).toEqual({ status: 'fulfilled', value: undefined });
    expect(created).toMatchObject({ status: 'rejected', reason: { code: 'KEY_DESTROYED', subjectId: 's-1' } });
    expect(destroyed).toMatchObject({ status: 'rejected', reason: { code: 'ENOTDIR' } });
    // An erasure that was asked for is not undone by its failure.
    expect(await store.get('s-1')).toBeUndefined();
    expect(await reasonOf(store.getOrCreate('s-1'))).toMatchObject({ code: 'KEY_DESTROYED' });
  });

  it('refuses getOrCreate at once while destroying, before the destruction resolves', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    const order: string[] = [];
    const destroying = store.destroy('s-1').then(() => order.push('destroyed'));
    const creating = store.getOrCreate('s-1').catch((error: unknown) => order.push(String((error as { code?: string }).code)));
    await Promise.all([destroying, creating]);
    expect(order).toEqual(['KEY_DESTROYED', 'destroyed']);
  });
});

describe('FileKeyStore: destroying', () => {
  it('takes the key file away under its name before overwriting a single byte of it', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    const keyFile = keyFileOf(directory, 's-1');
    const witness = join(directory, 'witness');
    linkSync(keyFile, witness);
    const original = readFileSync(witness);
    const overwrittenUnderItsName: boolean[] = [];
    let done = false;
    const destroying = store.destroy('s-1').finally(() => (done = true));
    while (!done) {
      const named = existsSync(keyFile);
      if (named && !readFileSync(witness).equals(original)) overwrittenUnderItsName.push(true);
      await new Promise((r) => setImmediate(r));
    }
    await destroying;
    expect(overwrittenUnderItsName).toEqual([]);
    expect(readFileSync(witness).equals(Buffer.alloc(original.length))).toBe(true);
  });

  it('shreds the temp and .shred files a cut-short destruction left of that subject, and no other file', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    await store.getOrCreate('s-2');
    const leftovers = [`${hashOf('s-1')}.0123456789abcdef.tmp`, `${hashOf('s-1')}.fedcba9876543210.shred`];
    const others = [`${hashOf('s-2')}.0123456789abcdef.tmp`, `${hashOf('s-2')}.fedcba9876543210.shred`, 'notes.tmp', 'notes.shred'];
    for (const [i, file] of [...leftovers, ...others].entries()) {
      writeFileSync(join(directory, file), Buffer.alloc(60, 0xa5));
      linkSync(join(directory, file), join(directory, `witness-${i}`));
    }
    await store.destroy('s-1');
    const files = readdirSync(directory);
    for (const file of leftovers) expect(files).not.toContain(file);
    for (const [i] of leftovers.entries()) expect(readFileSync(join(directory, `witness-${i}`)).equals(Buffer.alloc(60))).toBe(true);
    for (const [i, file] of others.entries()) {
      expect(files).toContain(file);
      expect(readFileSync(join(directory, file)).equals(Buffer.alloc(60, 0xa5))).toBe(true);
      expect(readFileSync(join(directory, `witness-${i + leftovers.length}`)).equals(Buffer.alloc(60, 0xa5))).toBe(true);
    }
    expect(filesOf(directory, 's-1')).toEqual(['destroyed']);
    expect(filesOf(directory, 's-2').sort()).toEqual(['0123456789abcdef.tmp', 'fedcba9876543210.shred', 'key']);
  });

  it('passes over a leftover .shred name that leads nowhere (a dangling link) and still destroys the key', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    symlinkSync(join(directory, 'gone'), join(directory, `${hashOf('s-1')}.0123456789abcdef.shred`));
    await store.destroy('s-1');
    expect(filesOf(directory, 's-1').sort()).toEqual(['0123456789abcdef.shred', 'destroyed']);
  });

  it('reports a leftover .shred name it cannot open for overwriting (a folder: EISDIR) instead of passing over it', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    mkdirSync(join(directory, `${hashOf('s-1')}.0123456789abcdef.shred`));
    expect(await reasonOf(store.destroy('s-1'))).toMatchObject({ code: 'EISDIR', syscall: 'open' });
    expect(await store.get('s-1')).toBeUndefined();
  });

  it('finishes when another destruction removes the overwritten file first, as one in another process may', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('s-1');
    const shredded = () => filesOf(directory, 's-1').filter((f) => f.endsWith('.shred'));
    let done = false;
    const destroying = store.destroy('s-1').finally(() => (done = true));
    let removed = 0;
    // The moment the moved key file's bytes are zeros, before the store unlinks it, someone else unlinks it.
    while (!done) {
      for (const file of shredded()) {
        const path = join(directory, `${hashOf('s-1')}.${file}`);
        try {
          if (statSync(path).size > 0 && readFileSync(path).equals(Buffer.alloc(statSync(path).size))) {
            unlinkSync(path);
            removed++;
          }
        } catch {
          // Gone between the listing and the look: the store got there first.
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    await destroying;
    expect(removed).toBe(1);
    expect(filesOf(directory, 's-1')).toEqual(['destroyed']);
  });

  it('closes every file it opens, on success and on failure', async () => {
    const directory = tempFolder();
    const store = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    await store.getOrCreate('warm-up');
    const before = openDescriptors();
    for (let i = 0; i < 5; i++) {
      await store.getOrCreate(`s-${i}`);
      await store.get(`s-${i}`);
      await store.destroy(`s-${i}`);
    }
    mkdirSync(join(directory, `${hashOf('s-9')}.0123456789abcdef.shred`));
    await store.getOrCreate('s-9');
    await expect(store.destroy('s-9')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(openDescriptors()).toBe(before);
  });
});

describe('FileKeyStore: its folder and master key', () => {
  it('leaves a folder that is closed to others as it is, even one it could not change (mode 0500)', async () => {
    // /proc/self/fd is 0500 and refuses chmod (EPERM) even to root.
    const store = createFileKeyStore({ directory: '/proc/self/fd', masterKey: randomBytes(32) });
    expect(await store.get('s-1')).toBeUndefined();
  });

  it('refuses a folder open to others that it cannot tighten, in this process, with KEY_FOLDER_INSECURE and its facts', async () => {
    // /proc/self is 0555 and refuses chmod (EPERM) even to root.
    const directory = '/proc/self';
    const mode = statSync(directory).mode & 0o777;
    expect(mode).toBe(0o555);
    const error = await reasonOf(createFileKeyStore({ directory, masterKey: randomBytes(32) }).get('s-1'));
    expect(error).toMatchObject({
      code: 'KEY_FOLDER_INSECURE',
      directory,
      mode: '0555',
      reason: 'EPERM',
      message: 'the key folder /proc/self has mode 0555, open to group or others, and cannot be tightened to 0700: EPERM',
    });
  });

  it.each([
    ['16 bytes', randomBytes(16)],
    ['33 bytes', randomBytes(33)],
    ['a string', 'k'.repeat(32) as unknown as Uint8Array],
  ])('refuses a master key of %s, naming the field, before touching the folder', (_what, masterKey) => {
    const directory = join(tempFolder(), 'keys');
    let error: unknown;
    try {
      createFileKeyStore({ directory, masterKey });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      what: 'FileKeyStore',
      issues: [{ path: 'masterKey', message: 'must be 32 bytes' }],
      message: 'FileKeyStore is invalid: masterKey: must be 32 bytes',
    });
    expect(existsSync(directory)).toBe(false);
  });

  it('names the subject and the file in the texts of its refusals, and the sizes of a corrupt file', async () => {
    const directory = tempFolder();
    const masterKey = randomBytes(32);
    const file = `${hashOf('s-1')}.key`;
    await createFileKeyStore({ directory, masterKey }).getOrCreate('s-1');
    expect(await reasonOf(createFileKeyStore({ directory, masterKey: randomBytes(32) }).get('s-1'))).toMatchObject({
      code: 'KEY_UNWRAP_FAILED',
      message: `the key file ${file} of subject s-1 does not open with this master key (wrong master key, or the file was altered)`,
    });
    truncateSync(join(directory, file), 30);
    expect(await reasonOf(createFileKeyStore({ directory, masterKey }).get('s-1'))).toMatchObject({
      code: 'KEY_FILE_CORRUPT',
      expectedBytes: 60,
      actualBytes: 30,
      message: `the key file ${file} of subject s-1 is corrupt: 30 bytes where a wrapped key has 60`,
    });
    const store = createFileKeyStore({ directory, masterKey });
    await store.destroy('s-1');
    expect(await reasonOf(store.getOrCreate('s-1'))).toMatchObject({ code: 'KEY_DESTROYED', subjectId: 's-1', message: 'the key of subject s-1 was destroyed' });
  });
});
