import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './test-support/capture';
import { MASTER_KEY, OTHER, storyFile, SUBJECT } from './test-support/fixture';
import { sqliteDriver } from './test-support/sqlite-file';

const Database = sqliteDriver();
type Connection = InstanceType<typeof Database>;

// Every command the CLI has, each with what it needs to run to the end on the story's ledger.
const COMMANDS: readonly (readonly string[])[] = [
  ['verify'],
  ['stats'],
  ['report', SUBJECT],
  ['report', SUBJECT, '--json'],
  ['export', OTHER, '--keys', 'keys'],
  ['violations'],
  ['replay', '--at', '5'],
  ['replay', '--at', '12', '--subject', SUBJECT],
  ['retention'],
  ['retention', '--now', '2026-06-01T00:00:00Z', '--json'],
];

/** The file's bytes and modification time: what reading must leave as it found them. */
const fingerprint = (path: string) => ({ sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), mtimeMs: statSync(path).mtimeMs });

let story: Awaited<ReturnType<typeof storyFile>>;
let scratch: string;
beforeAll(async () => {
  story = await storyFile();
  scratch = mkdtempSync(join(tmpdir(), 'custodian-cli-ro-'));
});
afterAll(() => {
  story.remove();
  rmSync(scratch, { recursive: true, force: true });
});

let made = 0;
/** Another application's database, as many are: user_version its own, WAL or the default rollback journal. */
function appDatabase(userVersion: number, wal: boolean): string {
  const path = join(scratch, `app-${++made}.db`);
  const db = new Database(path);
  if (wal) db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL); INSERT INTO orders (total) VALUES (9.5)');
  db.pragma(`user_version = ${userVersion}`);
  db.close();
  return path;
}

const tablesOf = (db: Connection) =>
  db
    .prepare<[], { name: string }>('SELECT name FROM sqlite_master ORDER BY name')
    .all()
    .map((r) => r.name);

describe('the CLI only reads', () => {
  it.each(COMMANDS.map((argv) => [argv.join(' '), argv] as const))('%s leaves every byte and the modification time of the ledger file as they were', async (_name, argv) => {
    const before = fingerprint(story.db);
    const { code } = await cli(argv, { cwd: story.dir, env: { CUSTODIAN_MASTER_KEY: MASTER_KEY } });
    expect(code).toBe(0);
    expect(fingerprint(story.db)).toEqual(before);
  });

  it.each([
    ['in the default rollback-journal mode, with a user_version of its own', 5, false],
    ['in WAL mode, with user_version 0', 0, true],
  ])('refuses, with exit 3 and untouched, a SQLite file that is not a ledger %s', async (_what, userVersion, wal) => {
    const path = appDatabase(userVersion, wal);
    for (const argv of COMMANDS) {
      const before = fingerprint(path);
      const { code, stdout, stderr } = await cli([...argv, '--db', path], { cwd: story.dir, env: { CUSTODIAN_MASTER_KEY: MASTER_KEY } });
      expect(code).toBe(3);
      expect(stdout).toBe('');
      expect(stderr).toBe(`custodian: ${path} is a SQLite file but not a Custodian ledger: it has no events table\n`);
      expect(fingerprint(path)).toEqual(before);
    }
    const db = new Database(path, { readonly: true });
    expect(tablesOf(db)).toEqual(['orders']);
    expect(db.pragma('user_version', { simple: true })).toBe(userVersion);
    db.close();
  });

  it('creates no table in a non-ledger file that another program holds open, its write-ahead log live', async () => {
    const path = appDatabase(0, true);
    const app = new Database(path);
    try {
      app.prepare('INSERT INTO orders (total) VALUES (1)').run();
      expect(readdirSync(scratch)).toContain(`app-${made}.db-wal`);
      const { code, stdout, stderr } = await cli(['verify', '--db', path], { cwd: story.dir });
      expect(code).toBe(3);
      expect(stdout).not.toContain('Chain intact');
      expect(stderr).toContain('is a SQLite file but not a Custodian ledger');
      expect(tablesOf(app)).toEqual(['orders']);
    } finally {
      app.close();
    }
  });
});

// The built command as someone without write access runs it. Root ignores permission bits,
// so as root the command runs as the unprivileged user nobody (65534).
const MAIN = join(__dirname, '..', 'dist', 'main.js');
const NOBODY = 65534;
const asUnprivileged = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
    ...(process.getuid?.() === 0 && { uid: NOBODY, gid: NOBODY }),
  });

describe('a write-protected copy of a ledger', () => {
  let folder: string;
  let copy: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'custodian-cli-copy-'));
    copy = join(folder, 'ledger.db');
    copyFileSync(story.db, copy);
    chmodSync(copy, 0o444);
    // The folder can be read and entered, not written: SQLite cannot create -wal or -shm in it.
    chmodSync(folder, 0o555);
  });
  afterAll(() => {
    chmodSync(folder, 0o755);
    rmSync(folder, { recursive: true, force: true });
  });

  it('verifies, and is reported on, without a byte written or a file created beside it', () => {
    const before = fingerprint(copy);
    const verify = asUnprivileged(['verify', '--db', copy], folder);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toBe(
      `Chain intact: 16 events checked in ${copy}, no link broken.\nNot checked: whether the latest events of a stream, or whole streams, were removed. Per-stream chains cannot show that; only a signed checkpoint can (pass --checkpoint <file> --public-key <key>).\n`,
    );
    expect(verify.status).toBe(0);
    const report = asUnprivileged(['report', SUBJECT, '--db', copy, '--json'], folder);
    expect(report.status).toBe(0);
    expect((JSON.parse(report.stdout) as { chain: unknown; items: unknown[] }).chain).toEqual({ ok: true, checked: 11 });
    expect(readdirSync(folder)).toEqual(['ledger.db']);
    expect(fingerprint(copy)).toEqual(before);
  });
});
