import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, verifyChain } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import { cli } from '../test-support/capture';
import { MASTER_KEY } from '../test-support/fixture';
import { sqliteDriver } from '../test-support/sqlite-file';

const Database = sqliteDriver();
const cliDir = join(__dirname, '..', '..');
const env = { CUSTODIAN_MASTER_KEY: MASTER_KEY };
const EMAIL = 'ann.import@example.com';
const POLICY = {
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P10Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P10Y' },
  },
};
const notice = { id: 'privacy-notice', version: '3' };
const ROLES = ['--roles', 'fulfilment,privacy'];

let dir: string;
let made = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'custodian-cli-import-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(POLICY));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (subjectId: string, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    subjectId,
    collections: [{ collectedAt: '2019-01-10T08:00:00Z', source: 'crm-2019', purposes: ['order.fulfilment'], notice, data: { 'contact.email': EMAIL } }],
    consents: [{ purpose: 'marketing.email', grantedAt: '2019-02-01T12:00:00Z', notice, method: 'web-form', evidence: 'signup form v3' }],
    ...overrides,
  });

/** A fresh folder with the file of these lines; the ledger and keys are to go beside it. */
function fixture(lines: readonly string[]): { cwd: string; args: string[] } {
  const cwd = join(dir, `case-${++made}`);
  rmSync(cwd, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', cwd]);
  writeFileSync(join(cwd, 'customers.jsonl'), `${lines.join('\n')}\n`);
  return { cwd, args: ['import', 'customers.jsonl', '--db', 'ledger.db', '--keys', 'keys', '--policy', join(dir, 'policy.json'), ...ROLES] };
}

function countEvents(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('custodian import', () => {
  it('records a file into a new ledger at the original times: replay at 2020 shows the 2019 consent, export opens the values, the file holds no plaintext', async () => {
    const { cwd, args } = fixture([line('c-1'), line('c-2')]);
    const imported = await cli(args, { cwd, env });
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(/^Imported 2 customers \(4 events\) from .*customers\.jsonl into .*ledger\.db as import customers\.\n$/);
    const replay = await cli(['replay', '--at', '2020-01-01T00:00:00Z', '--subject', 'c-1', '--db', 'ledger.db', '--json'], { cwd });
    expect(replay.code).toBe(0);
    expect((JSON.parse(replay.stdout) as { subject: { consent: Record<string, { status: string; since: string }> } }).subject.consent['marketing.email']).toMatchObject({
      status: 'granted',
      since: '2019-02-01T12:00:00.000Z',
    });
    const exported = await cli(['export', 'c-1', '--db', 'ledger.db', '--keys', 'keys', '--json'], { cwd, env });
    expect((JSON.parse(exported.stdout) as { data: { value: string }[] }).data.map((d) => d.value)).toEqual([EMAIL]);
    expect(readFileSync(join(cwd, 'ledger.db')).includes(EMAIL)).toBe(false);
    expect((await cli(['verify', '--db', 'ledger.db'], { cwd })).code).toBe(0);
  });

  it('stops at a purpose the policy does not declare with exit 2, naming the line and the field; nothing of that line or after it lands', async () => {
    const { cwd, args } = fixture([
      line('c-1'),
      line('c-2', { consents: [{ purpose: 'marketing.sms', grantedAt: '2019-02-01T12:00:00Z', notice, method: 'web-form' }] }),
      line('c-3'),
    ]);
    const { code, stderr, stdout } = await cli(args, { cwd, env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^custodian: line 2 of import customers was not imported: consents\.0\.purpose: is not a purpose of the policy/);
    expect(stderr).toMatch(/The lines before line 2 are imported, none after it/);
    expect(countEvents(join(cwd, 'ledger.db'))).toBe(1 + 2);
  });

  it('with --skip-invalid reports each refused line by number and field, imports the rest, and exits 2', async () => {
    const { cwd, args } = fixture([line('c-1'), `{"subjectId": "c-2", "collections": [{"data": {"contact.email": "${EMAIL}"}}]}`, 'not json', line('c-4')]);
    const { code, stderr, stdout } = await cli([...args, '--skip-invalid', '--json'], { cwd, env });
    expect(code).toBe(2);
    expect(stderr).toMatch(/line 2 of import customers was not imported: collections\.0\.collectedAt: /);
    expect(stderr).toMatch(/line 3 of import customers was not imported: \(line\): is not valid JSON/);
    expect(stderr).not.toContain(EMAIL);
    const body = JSON.parse(stdout) as { imported: number; rejected: number; rejectedLines: { line: number; field: string }[] };
    expect(body).toMatchObject({ imported: 2, rejected: 2 });
    expect(body.rejectedLines.map((r) => [r.line, r.field])).toEqual([
      [2, 'collections.0.collectedAt'],
      [3, ''],
    ]);
  });

  it('draws a progress bar of lines on a terminal', async () => {
    const { cwd, args } = fixture(Array.from({ length: 50 }, (_, i) => line(`c-${i}`)));
    const { code, stderr } = await cli(args, { cwd, env, tty: true, progressDelayMs: 0 });
    expect(code).toBe(0);
    expect(stderr).toMatch(/Importing \[[#-]{24}\] +\d+% [\d,]+\/50 lines/);
  });

  it('refuses, with exit 2, an import without keys or an actor without the roles', async () => {
    const { cwd, args } = fixture([line('c-1')]);
    const noKeys = await cli(
      args.filter((a) => a !== '--keys' && a !== 'keys'),
      { cwd, env },
    );
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/import needs --keys <dir>/);
    const noRoles = await cli(args.slice(0, -2), { cwd, env });
    expect(noRoles.code).toBe(2);
    expect(noRoles.stderr).toMatch(/line 1 of import customers was not imported: \(line\): collect needs one of the roles fulfilment/);
  });
});

describe('custodian import after a crash', () => {
  beforeAll(() => {
    // The killed import runs as plain node, outside jest, so it needs the compiled packages.
    const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', cliDir], { encoding: 'utf8' });
    if (!existsSync(join(cliDir, 'dist', 'main.js'))) throw new Error(`building @custodian/cli failed:\n${build.stdout}${build.stderr}`);
  }, 180_000);

  it('appends nothing twice when the same import is run again after a SIGKILL mid-import, and finishes the rest', async () => {
    const CUSTOMERS = 600;
    const { cwd, args } = fixture(Array.from({ length: CUSTOMERS }, (_, i) => line(`c-${i}`)));
    const db = join(cwd, 'ledger.db');
    const child = spawn(process.execPath, [join(cliDir, 'dist', 'main.js'), ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killedAt = await new Promise<number>((resolve, reject) => {
      const poll = setInterval(() => {
        const n = existsSync(db)
          ? (() => {
              try {
                return countEvents(db);
              } catch {
                return 0;
              }
            })()
          : 0;
        if (n >= 150) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve(n);
        }
      }, 5);
      child.on('exit', (code, signal) => {
        clearInterval(poll);
        if (signal !== 'SIGKILL') reject(new Error(`the import ended by itself before the kill (code ${code}):\n${stderr}`));
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    const landed = countEvents(db);
    expect(landed).toBeGreaterThanOrEqual(killedAt);
    expect(landed).toBeLessThan(1 + CUSTOMERS * 2);

    const rerun = await cli([...args, '--json'], { cwd, env });
    expect(rerun.code).toBe(0);
    const body = JSON.parse(rerun.stdout) as { imported: number; alreadyImported: number; events: number };
    expect(body.imported + body.alreadyImported).toBe(CUSTOMERS);
    expect(body.alreadyImported).toBe((landed - 1) / 2);
    expect(countEvents(db)).toBe(1 + CUSTOMERS * 2);

    const store = createSqliteEventStore({ path: db, readonly: true });
    try {
      expect((await verifyChain(store.readAll(), { positionsGapFreeFrom: store.positionsGapFreeFrom })).ok).toBe(true);
      const perSubject = new Map<string, number>();
      for await (const record of store.readAll()) {
        const subjectId = events.decode(record.data).subjectId;
        if (subjectId !== undefined) perSubject.set(subjectId, (perSubject.get(subjectId) ?? 0) + 1);
      }
      expect(perSubject.size).toBe(CUSTOMERS);
      expect([...perSubject.values()].every((n) => n === 2)).toBe(true);
    } finally {
      await store.close();
    }
  }, 180_000);
});
