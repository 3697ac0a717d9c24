import { afterAll, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The README's demo: the built example writes its ledger file, then the built `custodian`
// command verifies it and reports on her, as a user would run them.
const dir = mkdtempSync(join(tmpdir(), 'custodian-quickstart-'));
const db = join(dir, 'custodian.db');
const node = (script: string, args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: dir, encoding: 'utf8' });
const quickstart = (args: string[]) => node(join(__dirname, '../dist/main.js'), args);
const custodian = (args: string[]) => node(join(__dirname, '../../../packages/cli/dist/main.js'), args);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('tells the quickstart story into a fresh ledger file', () => {
  writeFileSync(db, 'an older demo ledger');
  writeFileSync(`${db}-wal`, 'its write-ahead log');
  const run = quickstart([db]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`(demo) Removed ${db} to start from a fresh ledger.`);
  expect(run.stdout).toContain(`(demo) Removed ${db}-wal to start from a fresh ledger.`);
  expect(run.stdout).toMatch(/3\. Spring campaign uses her email: allowed \(basis: consent event [0-9a-f-]{36}\)/);
  expect(run.stdout).toContain('5. Her email shared with Brightmail: allowed');
  expect(run.stdout).toMatch(/7\. Summer campaign tries to use her email: refused: consent_withdrawn/);
  expect(run.stdout).toMatch(/marketing\.email\s+withdrawn/);
  expect(run.stdout).toMatch(/denied\s+contact\.email for marketing\.email \(campaign:summer-sale\); refused: consent_withdrawn/);
  expect(run.stdout).toContain('copy at brightmail-agency: contact.email');
  expect(run.stdout).toContain(`The ledger is in ${db}`);
  expect(run.stdout).not.toContain('ann@example.com');
});

it('leaves a ledger that custodian verifies', () => {
  const run = custodian(['verify', '--db', db]);
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe(
    `Chain intact: 10 events checked in ${db}, no link broken.\nNot checked: whether the latest events of a stream, or whole streams, were removed. Per-stream chains cannot show that; only a signed checkpoint can (pass --checkpoint <file> --public-key <key>).\n`,
  );
  expect(run.status).toBe(0);
});

it('leaves a ledger that custodian reports on, as a table and as an HTML page', () => {
  const run = custodian(['report', 'cust-4f9a2c', '--db', db, '--html', 'custodian-report.html']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(
    /^Data lifecycle of subject cust-4f9a2c \(history verified: 7 events, no link broken; removal of the latest events cannot be ruled out without a checkpoint\)/,
  );
  for (const step of ['collected', 'consented', 'used', 'shared', 'withdrawn', 'refused']) expect(run.stdout).toMatch(new RegExp(`^  \\S+ \\S+  ${step} `, 'm'));
  expect(run.stdout).toContain(`Wrote the HTML report to ${join(dir, 'custodian-report.html')}`);
  const html = readFileSync(join(dir, 'custodian-report.html'), 'utf8');
  expect([...html.matchAll(/<li class="entry[^"]*" data-kind="([a-z-]+)"/g)].map((m) => m[1])).toEqual([
    'collected',
    'consented',
    'used',
    'shared',
    'withdrawn',
    'notice-owed',
    'refused',
  ]);
  expect(html).not.toContain('ann@example.com');
});

it('writes custodian.db in the current folder when given no path', () => {
  const run = quickstart([]);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`The ledger is in ${db}`);
  expect(custodian(['verify']).status).toBe(0);
});
