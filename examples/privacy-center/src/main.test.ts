import { afterAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built example, as a user runs it: it starts, prints her link, serves her page, and stops.
const dir = mkdtempSync(join(tmpdir(), 'custodian-privacy-center-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('serves the quickstart customer her page from the link it prints, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(__dirname, '../dist/main.js'), join(dir, 'ledger.db')], { cwd: dir, env: { ...process.env, PORT: '0' } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const link = await new Promise<string>((found, failed) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /open for 24 hours: (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) found(match[1]);
    });
    child.once('exit', (code) => failed(new Error(`exited ${String(code)}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await fetch(new URL('/', link), { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Your data at the retailer');
    expect(html).toContain('<strong>Brightmail Agency GmbH</strong> (DE)');
    expect(html).toContain('data-consent="withdrawn"');
    expect(html).not.toContain('ann@example.com');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stderr).toBe('');
});
