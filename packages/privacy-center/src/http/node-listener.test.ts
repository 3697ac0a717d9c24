import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, SUBJECT, type Fixture } from '../test-support/fixture';
import { nodeListener } from './node-listener';

let f: Fixture;
let server: Server;
let base: string;

beforeAll(async () => {
  f = await fixture();
  server = createServer(nodeListener(f.center));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('serves the center on node:http: a link, her page, a form posted, a body too large', async () => {
  const link = f.center.issueLink({ subjectId: SUBJECT, expiresAt: new Date(f.clock.now.getTime() + 60_000) });
  const opened = await fetch(`${base}${link}`, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  const cookie = (opened.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^custodian_pc=/);

  const page = await fetch(`${base}/`, { headers: { cookie, accept: 'application/json' } });
  expect(page.status).toBe(200);
  const { csrfToken } = (await page.json()) as { csrfToken: string };

  const done = await fetch(`${base}/consent/withdraw`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ purpose: 'marketing.email', csrf: csrfToken }) });
  expect(done.status).toBe(200);
  expect(await done.text()).toContain('You withdrew your consent to marketing.email.');
  expect((await f.ledger.consentState(SUBJECT))['marketing.email']?.status).toBe('withdrawn');

  const large = await fetch(`${base}/restrict`, { method: 'POST', headers: { cookie, accept: 'application/json' }, body: new URLSearchParams({ a: 'x'.repeat(100_000) }) });
  expect(large.status).toBe(400);
  expect(await large.json()).toMatchObject({ error: { code: 'BAD_FIELD', field: 'body' } });
});
