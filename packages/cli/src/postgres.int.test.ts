import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPostgresEventStore, SCHEMA_VERSION, SchemaMissingError, type PostgresEventStore } from '@custodian/postgres';
import { startTestDatabase, type TestDatabase } from '@custodian/postgres/test-support';
import { cli } from './test-support/capture';
import { MASTER_KEY, OTHER, storyFile, SUBJECT, workspace } from './test-support/fixture';

// The same story on both stores: the SQLite ledger's records, copied byte for byte, with their
// ids, revisions and positions, into PostgreSQL. Every read command must then say the same.
const READS: readonly (readonly string[])[] = [
  ['verify'],
  ['stats'],
  ['stats', '--json'],
  ['report', SUBJECT],
  ['report', SUBJECT, '--json'],
  ['violations'],
  ['violations', '--json'],
  ['replay', '--at', '5'],
  ['replay', '--at', '12', '--subject', SUBJECT],
  ['replay', '--at', '2026-03-01T10:04:30Z', '--json'],
  ['export', OTHER, '--keys', 'keys'],
];
const ENV = { CUSTODIAN_MASTER_KEY: MASTER_KEY };

let story: Awaited<ReturnType<typeof storyFile>>;
let database: TestDatabase;
let ledger: PostgresEventStore;
beforeAll(async () => {
  story = await storyFile();
  database = await startTestDatabase();
  ledger = await createPostgresEventStore({ connectionString: database.url });
  const sqlite = story.open();
  try {
    for await (const record of sqlite.readAll()) {
      const appended = await ledger.append(record.stream, [{ id: record.id, type: record.type, data: record.data }], record.revision === 0n ? 'no_stream' : record.revision - 1n);
      if (appended.position !== record.position) throw new Error(`copied ${record.id} to position ${appended.position}, not ${record.position}`);
    }
  } finally {
    await sqlite.close();
  }
}, 60_000);
afterAll(async () => {
  await ledger.close();
  await database.stop();
  story.remove();
});

const onSqlite = (argv: readonly string[]) => cli([...argv, '--db', story.db], { cwd: story.dir, env: ENV });
const onPostgres = (argv: readonly string[], url = database.url) => cli([...argv, '--postgres', url], { cwd: story.dir, env: ENV });
const LABEL = () => `PostgreSQL at ${ledger.location.database}`;
/** The ledger's name and the moment a report or an export was made are all that may differ. */
const comparable = (stdout: string, label: string) => stdout.replaceAll(label, '<ledger>').replace(/("generatedAt": "|, made )\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '$1<now>');

/** Everything in the ledger's schema that a write could change: the events, byte for byte, the layout version and the tables. */
async function fingerprint(): Promise<unknown> {
  const { rows } = await ledger.pool.query(`
    SELECT (SELECT md5(string_agg(position || ':' || stream || ':' || revision || ':' || id || ':' || type || ':' || encode(data, 'hex'), ',' ORDER BY position)) FROM custodian.events) AS events,
           (SELECT array_agg(version) FROM custodian.schema_version) AS versions,
           (SELECT array_agg(table_schema || '.' || table_name ORDER BY table_schema, table_name) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')) AS tables`);
  return rows[0];
}

describe('custodian --postgres', () => {
  it.each(READS.map((argv) => [argv.join(' '), argv] as const))('%s says on PostgreSQL what it says on the SQLite file of the same story', async (_name, argv) => {
    const expected = await onSqlite(argv);
    const actual = await onPostgres(argv);
    expect(expected.code).toBe(0);
    expect(actual.code).toBe(expected.code);
    expect(actual.stderr).toBe(expected.stderr);
    expect(comparable(actual.stdout, LABEL())).toBe(comparable(expected.stdout, story.db));
  });

  it('names the server without the credentials of the URL', async () => {
    const { stdout } = await onPostgres(['verify']);
    expect(stdout).toMatch(/^Chain intact: 16 events checked in PostgreSQL at 127\.0\.0\.1:\d+\/custodian_test_[0-9a-f]+, no link broken\.\n/);
    expect(stdout).not.toContain(new URL(database.url).password);
  });

  it('leaves every event, the layout version and the tables as they were, whatever it runs', async () => {
    const before = await fingerprint();
    for (const argv of READS) expect((await onPostgres(argv)).code).toBe(0);
    expect(await fingerprint()).toEqual(before);
  });
});

describe('custodian import and retention --enforce on PostgreSQL', () => {
  const POLICY = {
    purposes: {
      'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email', 'contact.address'], roles: ['fraud'], retention: 'P30D' },
      'marketing.email': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    },
  };
  const notice = { id: 'privacy-notice', version: '3' };
  const customer = {
    subjectId: 'c-imported',
    collections: [
      { collectedAt: '2020-01-01T00:00:00Z', source: 'crm-2019', purposes: ['fraud.prevention', 'marketing.email'], notice, data: { 'contact.email': 'imported@example.com' } },
      { collectedAt: '2020-01-01T00:00:00Z', source: 'crm-2019', purposes: ['fraud.prevention'], notice, data: { 'contact.address': '9 Birch Lane' } },
    ],
    consents: [],
  };
  let fresh: TestDatabase;
  let ws: ReturnType<typeof workspace>;
  beforeAll(async () => {
    fresh = await startTestDatabase();
    ws = workspace();
    writeFileSync(join(ws.dir, 'policy.json'), JSON.stringify(POLICY));
    writeFileSync(join(ws.dir, 'customers.jsonl'), `${JSON.stringify(customer)}\n`);
  }, 60_000);
  afterAll(async () => {
    ws.remove();
    await fresh.stop();
  });
  const run = (argv: readonly string[]) => cli([...argv, '--postgres', fresh.url], { cwd: ws.dir, env: ENV });

  it('imports into an empty database, sweeps what no purpose may keep, and the ledger verifies; no SQLite file is made', async () => {
    const imported = await run(['import', 'customers.jsonl', '--keys', 'keys', '--policy', 'policy.json', '--roles', 'fraud,privacy']);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(
      /^Imported 1 customer \(2 events\) from .*customers\.jsonl into PostgreSQL at 127\.0\.0\.1:\d+\/custodian_test_[0-9a-f]+ as import customers\.\n$/,
    );
    expect((await run(['import', 'customers.jsonl', '--keys', 'keys', '--policy', 'policy.json', '--roles', 'fraud,privacy'])).stdout).toMatch(
      /1 customer already imported by an earlier run/,
    );

    const due = await run(['retention', '--now', '2020-02-15T00:00:00Z', '--json']);
    expect((JSON.parse(due.stdout) as { due: { category: string }[] }).due.map((d) => d.category)).toEqual(['contact.address']);
    const swept = await run(['retention', '--enforce', '--keys', 'keys', '--roles', 'privacy', '--policy', 'policy.json', '--now', '2020-02-15T00:00:00Z']);
    expect(swept).toMatchObject({ code: 0, stderr: '' });
    expect(swept.stdout).toMatch(
      /^Erased 1 category of 1 subject in PostgreSQL at .*, past every purpose's retention at 2020-02-15T00:00:00\.000Z:\n {2}c-imported: contact\.address \(event /,
    );
    const again = await run(['retention', '--enforce', '--keys', 'keys', '--roles', 'privacy', '--policy', 'policy.json', '--now', '2020-02-15T00:00:00Z', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ erasures: [] });

    const exported = JSON.parse((await run(['export', 'c-imported', '--keys', 'keys', '--json'])).stdout) as { data: { category: string; value: string | null }[] };
    expect(exported.data.map((d) => [d.category, d.value])).toEqual([['contact.email', 'imported@example.com']]);
    expect((await run(['verify'])).code).toBe(0);
    expect(existsSync(join(ws.dir, 'custodian.db'))).toBe(false);
  });
});

describe('custodian --postgres on a database without a ledger', () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await startTestDatabase();
  }, 60_000);
  afterAll(() => empty.stop());

  it('refuses it with exit 3 for every command, and creates nothing in it', async () => {
    const where = `schema "custodian" of ${new URL(empty.url).host}${new URL(empty.url).pathname}`;
    for (const argv of READS) {
      const { code, stdout, stderr } = await onPostgres(argv, empty.url);
      expect(code).toBe(3);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `custodian: ${where} holds no Custodian ledger; open it once without readonly (and with migrate left on) to create it, or check the URL and the schema name\n`,
      );
    }
    await expect(createPostgresEventStore({ connectionString: empty.url, readonly: true })).rejects.toBeInstanceOf(SchemaMissingError);
  });

  it('refuses retention --enforce there with exit 3, creating nothing: a sweep never starts a ledger', async () => {
    const { code, stderr } = await onPostgres(['retention', '--enforce', '--keys', 'keys', '--roles', 'privacy'], empty.url);
    expect(code).toBe(3);
    expect(stderr).toMatch(/holds no Custodian ledger/);
    await expect(createPostgresEventStore({ connectionString: empty.url, readonly: true })).rejects.toBeInstanceOf(SchemaMissingError);
  });
});

describe('custodian --postgres on a ledger of a newer layout', () => {
  let newer: TestDatabase;
  beforeAll(async () => {
    newer = await startTestDatabase();
    const store = await createPostgresEventStore({ connectionString: newer.url });
    await store.pool.query('UPDATE custodian.schema_version SET version = version + 1');
    await store.close();
  }, 60_000);
  afterAll(() => newer.stop());

  it('refuses it as a usage error (exit 2) that says to upgrade, and leaves the version as it found it', async () => {
    const { code, stdout, stderr } = await onPostgres(['verify'], newer.url);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const where = `schema "custodian" of ${new URL(newer.url).host}${new URL(newer.url).pathname}`;
    expect(stderr).toBe(
      `custodian: ${where} has schema version ${SCHEMA_VERSION + 1}, written by a newer @custodian/postgres; this version reads version ${SCHEMA_VERSION}: upgrade @custodian/postgres\n`,
    );
    await expect(createPostgresEventStore({ connectionString: newer.url, readonly: true })).rejects.toMatchObject({ code: 'UNSUPPORTED_SCHEMA', found: SCHEMA_VERSION + 1 });
  });
});

describe('custodian --postgres with a URL it cannot use', () => {
  const PASSWORD = 's3cret-Pw';
  it.each([
    ['without a host', `postgres://auditor:${PASSWORD}@/ledger`],
    ['of another scheme', `mysql://auditor:${PASSWORD}@localhost/ledger`],
    ['that is no URL at all', `auditor:${PASSWORD} at localhost`],
  ])('calls a URL %s a usage error (exit 2), without repeating its password', async (_what, url) => {
    const { code, stdout, stderr } = await onPostgres(['verify'], url);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "custodian: --postgres is not a PostgreSQL URL: it must be postgres://user:password@host:port/database (or postgresql://), with a host\nRun 'custodian verify --help' for usage.\n",
    );
  });

  it('says an unreachable server cannot be read (exit 3), naming it without the password, and prints no stack', async () => {
    const { code, stdout, stderr } = await onPostgres(['stats'], `postgres://auditor:${PASSWORD}@127.0.0.1:1/ledger`);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "custodian: cannot open the Custodian ledger on 127.0.0.1:1/ledger (ECONNREFUSED): check that the server runs, and the URL's host, port, database, user and password\n",
    );
  });

  it('says a database that does not exist on a running server cannot be read (exit 3), without the password', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_ledger';
    const { code, stderr } = await onPostgres(['verify'], url.toString());
    expect(code).toBe(3);
    expect(stderr).toBe(
      `custodian: cannot open the Custodian ledger on ${url.host}/no_such_ledger (3D000): check that the server runs, and the URL's host, port, database, user and password\n`,
    );
    expect(stderr).not.toContain(url.password);
  });

  it('refuses two ledgers at once', async () => {
    const { code, stderr } = await onPostgres(['verify', '--db', story.db]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^custodian: pass either --db or --postgres, not both\n/);
  });
});
