import { afterAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built example, as a user runs it: Fastify serves the shop's own route and, under
// /privacy, her center from the link it prints; one of her forms is posted; SIGTERM stops it.
const dir = mkdtempSync(join(tmpdir(), 'custodian-privacy-center-fastify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('mounts the center under /privacy of a Fastify app, beside the shop’s own route', async () => {
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
    expect(new URL(link).pathname).toMatch(/^\/privacy\/link\//);
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/privacy/');
    const setCookie = opened.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toContain('; Path=/privacy;');
    const cookie = setCookie.split(';')[0] ?? '';

    const page = await fetch(new URL('/privacy/', link), { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Your data at the retailer');
    expect(html).toContain('action="/privacy/restrict"');
    expect(html).not.toContain('ann@example.com');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

    const done = await fetch(new URL('/privacy/restrict', link), { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf }) });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('data-done');
    const again = await fetch(new URL('/privacy/', link), { headers: { cookie } });
    expect(await again.text()).toContain('Processing of your data is on hold, as you asked.');

    // The center's scope keeps bodies raw: JSON reaches the center as text, and it is the center that refuses a large form.
    const json = (await (await fetch(new URL('/privacy/', link), { headers: { cookie, accept: 'application/json' } })).json()) as { csrfToken: string };
    const objected = await fetch(new URL('/privacy/object', link), {
      method: 'POST',
      headers: { cookie, accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': json.csrfToken },
      body: '{}',
    });
    expect(objected.status).toBe(200);
    expect(await objected.json()).toMatchObject({ done: 'object' });
    const large = await fetch(new URL('/privacy/erasure', link), {
      method: 'POST',
      headers: { cookie, accept: 'application/json' },
      body: new URLSearchParams({ a: 'x'.repeat(20_000) }),
    });
    expect(large.status).toBe(400);
    expect(await large.json()).toMatchObject({ error: { code: 'BAD_FIELD', field: 'body' } });

    const missing = await fetch(new URL('/privacy/nowhere', link), { headers: { cookie, accept: 'application/json' } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const shop = await fetch(new URL('/shop', link));
    expect(shop.status).toBe(200);
    expect(await shop.json()).toEqual({ shop: 'the retailer', open: true });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stderr).toBe('');
});
