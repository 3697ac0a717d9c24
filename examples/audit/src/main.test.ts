import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

it("walks an auditor through the quickstart's history", () => {
  const run = spawnSync(process.execPath, [join(__dirname, '../dist/main.js')], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/Chain verified: intact, 11 events checked/);
  expect(run.stdout).toMatch(/\[planted\] DataUsed 01930000-0000-7000-8000-00000000beef by legacy-newsletter-cron .*: consent_withdrawn/);
  expect(run.stdout.match(/\[planted\]|DataUsed .* by campaign-service/g)).toEqual(['[planted]']);
  expect(run.stdout).toMatch(/refused\? consent_withdrawn; replayed today the rules agree: true/);
  expect(run.stdout).toMatch(/evidence: ConsentWithdrawn/);
  expect(run.stdout).toMatch(/just before she withdrew\):\n\s+marketing\.email: granted/);
});
