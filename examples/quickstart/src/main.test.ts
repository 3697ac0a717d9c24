import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The README's demo: the built example, run as a user would run it.
it('tells the quickstart story', () => {
  const run = spawnSync(process.execPath, [join(__dirname, '../dist/main.js')], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/3\. Spring campaign uses her email: allowed \(basis: consent event [0-9a-f-]{36}\)/);
  expect(run.stdout).toContain('5. Her email shared with Brightmail: allowed');
  expect(run.stdout).toMatch(/7\. Summer campaign tries to use her email: refused: consent_withdrawn/);
  expect(run.stdout).toMatch(/marketing\.email\s+withdrawn/);
  expect(run.stdout).toMatch(/denied\s+contact\.email for marketing\.email \(campaign:summer-sale\); refused: consent_withdrawn/);
  expect(run.stdout).toContain('copy at brightmail-agency: contact.email');
  expect(run.stdout).not.toContain('ann@example.com');
});
