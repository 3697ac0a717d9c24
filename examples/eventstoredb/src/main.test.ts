import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTarget, type EventStoreTarget } from '@custodian/eventstoredb/testing';

// The built example, run as a user runs it, against the adapter's test server (or the
// real server in EVENTSTORE_CONNECTION_STRING), twice: the second run's projection must
// resume from the first one's checkpoint and count only the new decisions.
const run = promisify(execFile);
let target: EventStoreTarget;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.stop());

const example = async () => {
  const { stdout, stderr } = await run(process.execPath, [join(__dirname, '../dist/main.js')], {
    env: { ...process.env, EVENTSTORE_CONNECTION_STRING: target.connectionString },
  });
  expect(stderr).toBe('');
  return stdout;
};
const tally = (stdout: string) => {
  const [, allowed, refused] = /marketing\.email\s+allowed (\d+), refused (\d+)/.exec(stdout) ?? [];
  return { allowed: Number(allowed), refused: Number(refused) };
};

it('tells the quickstart story on EventStoreDB, tallies it in a projection kept there, and verifies the chain', async () => {
  const first = await example();
  expect(first).toMatch(/3\. Spring campaign uses her email: allowed \(basis: consent event [0-9a-f-]{36}\)/);
  expect(first).toContain('5. Her email shared with Brightmail: allowed');
  expect(first).toMatch(/7\. Summer campaign tries to use her email: refused: consent_withdrawn/);
  expect(first).toMatch(/marketing\.email\s+withdrawn since/);
  expect(first).toMatch(/denied\s+contact\.email for marketing\.email.*; refused: consent_withdrawn/);
  expect(first).toMatch(/Chain intact: \d+ events checked, 0 broken links\./);
  expect(first).not.toContain('ann@example.com');
  if (!target.real) expect(first).toContain('no checkpoint yet');

  const second = await example();
  expect(second).toMatch(/resumed from its checkpoint at position \d+/);
  // One more story: two more allowed decisions (the use and the share), one more refusal.
  expect(tally(second)).toEqual({ allowed: tally(first).allowed + 2, refused: tally(first).refused + 1 });
  expect(second).toMatch(/Chain intact/);
});
