import { describe, expect, it } from '@jest/globals';
import { fixture, OTHER, pageJson, post, request, signIn, SUBJECT, type Fixture } from '../test-support/fixture';

const tamper = (token: string, change: (payload: Record<string, unknown>) => void): string => {
  const [body = '', mac = ''] = token.split('.');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(payload);
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
};

const linkToken = (f: Fixture, ms = 60_000) => f.center.issueLink({ subjectId: SUBJECT, expiresAt: new Date(f.clock.now.getTime() + ms) }).slice('/link/'.length);

async function errorOf(response: Response): Promise<{ status: number; code: string; field?: string }> {
  const body = (await response.json()) as { error: { status: number; code: string; field?: string } };
  expect(body.error.status).toBe(response.status);
  return body.error;
}

describe('links and sessions that are not ours', () => {
  it('refuses a forged link, a link whose subject was changed, and a link past its expiry', async () => {
    const f = await fixture();
    const json = { accept: 'application/json' };
    const forged = `${linkToken(f).split('.')[0] ?? ''}.${Buffer.alloc(32, 7).toString('base64url')}`;
    expect(await errorOf(await f.center.handle(request(`/link/${forged}`, json)))).toMatchObject({ status: 403, code: 'TOKEN_INVALID' });
    const theirs = tamper(linkToken(f), (payload) => (payload.s = OTHER));
    expect(await errorOf(await f.center.handle(request(`/link/${theirs}`, json)))).toMatchObject({ status: 403, code: 'TOKEN_INVALID' });
    const later = tamper(linkToken(f), (payload) => (payload.e = Number(payload.e) + 86_400_000));
    expect(await errorOf(await f.center.handle(request(`/link/${later}`, json)))).toMatchObject({ status: 403, code: 'TOKEN_INVALID' });
    const soon = linkToken(f, 1_000);
    f.clock.advance(1_000);
    expect(await errorOf(await f.center.handle(request(`/link/${soon}`, json)))).toMatchObject({ status: 401, code: 'LINK_EXPIRED' });
    for (const junk of ['x', 'a.b.c', 'a..b', `${'A'.repeat(5000)}.x`]) expect((await f.center.handle(request(`/link/${junk}`, json))).status).toBe(junk.length > 4096 ? 404 : 403);
  });

  it('refuses a link signed with another secret, and one token passed off as another kind', async () => {
    const f = await fixture();
    const other = await fixture({ center: { secret: 'another secret, also thirty-two bytes long' } });
    expect((await f.center.handle(request(`/link/${linkToken(other)}`))).status).toBe(403);
    expect((await f.center.handle(request('/', { cookie: `custodian_pc=${linkToken(f)}` }))).status).toBe(403);
    const { csrfToken } = await pageJson(f, await signIn(f));
    expect((await f.center.handle(request('/', { cookie: `custodian_pc=${csrfToken}` }))).status).toBe(403);
  });

  it('asks her to sign in without a session or once it expired, and refuses a forged or retargeted cookie', async () => {
    const f = await fixture();
    const json = { accept: 'application/json' };
    expect(await errorOf(await f.center.handle(request('/', json)))).toMatchObject({ status: 401, code: 'NOT_SIGNED_IN' });
    const cookie = await signIn(f);
    const value = cookie.slice('custodian_pc='.length);
    const retargeted = tamper(value, (payload) => (payload.s = OTHER));
    expect(await errorOf(await f.center.handle(request('/', { ...json, cookie: `custodian_pc=${retargeted}` })))).toMatchObject({ status: 403, code: 'TOKEN_INVALID' });
    f.clock.advance(30 * 60_000);
    expect(await errorOf(await f.center.handle(request('/', { ...json, cookie })))).toMatchObject({ status: 401, code: 'NOT_SIGNED_IN' });
  });

  it('refuses every action without a session, appending nothing', async () => {
    const f = await fixture();
    const before = await f.count();
    for (const path of ['/consent/grant', '/consent/withdraw', '/object', '/restrict', '/export', '/erasure']) {
      const response = await post(f, path, '', { purpose: 'marketing.email' }, 'application/json');
      expect(response.status).toBe(401);
    }
    expect(await f.count()).toBe(before);
  });
});

describe('form tokens', () => {
  it('refuses a POST without its token, with a token of another session, or a token used once already', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const before = await f.count();
    expect(await errorOf(await post(f, '/restrict', cookie, {}, 'application/json'))).toMatchObject({ status: 403, code: 'CSRF_MISSING' });
    const theirs = await pageJson(f, await signIn(f, OTHER));
    expect(await errorOf(await post(f, '/restrict', cookie, { csrf: theirs.csrfToken }, 'application/json'))).toMatchObject({ status: 403, code: 'CSRF_INVALID' });
    expect(await errorOf(await post(f, '/restrict', cookie, { csrf: 'forged.token' }, 'application/json'))).toMatchObject({ status: 403, code: 'CSRF_INVALID' });
    expect(await f.count()).toBe(before);

    const { csrfToken } = await pageJson(f, cookie);
    expect((await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: csrfToken })).status).toBe(200);
    const after = await f.count();
    expect(await errorOf(await post(f, '/restrict', cookie, { csrf: csrfToken }, 'application/json'))).toMatchObject({ status: 403, code: 'CSRF_REUSED' });
    expect(
      await errorOf(await f.center.handle(request('/restrict', { method: 'POST', cookie, accept: 'application/json', headers: { 'x-csrf-token': csrfToken } }))),
    ).toMatchObject({
      code: 'CSRF_REUSED',
    });
    expect(await f.count()).toBe(after);
  });

  it('refuses a token past its time', async () => {
    const f = await fixture({ center: { csrfTtlMs: 5_000 } });
    const cookie = await signIn(f);
    const { csrfToken } = await pageJson(f, cookie);
    f.clock.advance(5_000);
    expect(await errorOf(await post(f, '/restrict', cookie, { csrf: csrfToken }, 'application/json'))).toMatchObject({ status: 403, code: 'CSRF_INVALID' });
  });
});

describe('script in every free text that reaches her page', () => {
  const payload = (where: string) => `<script>alert('${where}')</script>"'><img src=x onerror=alert(1)>`;
  it('shows it as text, never as markup, on the page and on the pages of her actions', async () => {
    const f = await fixture({
      texts: {
        description: payload('description'),
        recipientName: payload('recipient'),
        agreement: payload('agreement'),
        noticeId: payload('notice'),
        noticeVersion: '<b>v3</b>',
        actorId: payload('actor'),
        activity: payload('activity'),
        source: payload('source'),
      },
      center: { title: payload('title') },
    });
    const cookie = await signIn(f);
    const html = await (await f.center.handle(request('/', { cookie }))).text();
    for (const where of ['description', 'recipient', 'notice', 'actor', 'activity', 'source', 'title'])
      expect(html).toContain(`&lt;script&gt;alert(&#39;${where}&#39;)&lt;/script&gt;`);
    expect(html).toContain('&lt;b&gt;v3&lt;/b&gt;');
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).not.toMatch(/<[a-z][^>]*onerror/i);
    const done = await (await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: (await pageJson(f, cookie)).csrfToken })).text();
    expect(done).not.toMatch(/<script|<img/i);
    const error = await (await f.center.handle(request('/nowhere<script>', { cookie }))).text();
    expect(error).not.toMatch(/<script|<img/i);
  });
});

describe('bad input', () => {
  it('answers an unknown route 404 and a wrong method 405 with Allow, as a page or as JSON by Accept', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    expect(await errorOf(await f.center.handle(request('/admin', { cookie, accept: 'application/json' })))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await errorOf(await f.center.handle(request('/constructor', { method: 'POST', cookie, accept: 'application/json' })))).toMatchObject({ status: 404 });
    const page = await f.center.handle(request('/admin', { cookie }));
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('data-error="NOT_FOUND"');
    const wrong = await f.center.handle(request('/restrict', { cookie, accept: 'application/json' }));
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await errorOf(wrong)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    const deleted = await f.center.handle(request('/', { method: 'DELETE', cookie }));
    expect([deleted.status, deleted.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await f.center.handle(new Request('http://shop.example/privacy-other'))).status).toBe(404);
    const mounted = await fixture({ center: { basePath: '/privacy' } });
    expect((await mounted.center.handle(new Request('http://shop.example/privacy-other'))).status).toBe(404);
  });

  it('refuses bad fields by name, an unknown purpose, and malformed bodies with 400, appending nothing and showing no stack', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const before = await f.count();
    const send = async (path: string, init: { body: string; type?: string }) => {
      const { csrfToken } = await pageJson(f, cookie);
      return f.center.handle(
        request(path, {
          method: 'POST',
          cookie,
          accept: 'application/json',
          headers: { 'x-csrf-token': csrfToken },
          type: init.type ?? 'application/x-www-form-urlencoded',
          body: init.body,
        }),
      );
    };
    const cases: [string, { body: string; type?: string }, Record<string, unknown>][] = [
      ['/consent/withdraw', { body: '' }, { code: 'BAD_FIELD', field: 'purpose' }],
      ['/consent/withdraw', { body: 'purpose=' }, { code: 'BAD_FIELD', field: 'purpose' }],
      ['/consent/withdraw', { body: `purpose=${'x'.repeat(201)}` }, { code: 'BAD_FIELD', field: 'purpose' }],
      ['/consent/withdraw', { body: 'purpose=marketing.email&subjectId=cust-77b1e0' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/consent/withdraw', { body: 'purpose=a&purpose=b' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/consent/grant', { body: 'purpose=no.such' }, { code: 'UNKNOWN_PURPOSE', field: 'purpose' }],
      ['/consent/grant', { body: 'purpose=order.fulfilment' }, { code: 'UNKNOWN_PURPOSE', field: 'purpose' }],
      ['/object', { body: 'purpose=no.such' }, { code: 'UNKNOWN_PURPOSE' }],
      ['/export', { body: 'right=everything' }, { code: 'BAD_FIELD', field: 'right' }],
      ['/restrict', { body: '{"csrf":', type: 'application/json' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/restrict', { body: '[1]', type: 'application/json' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/consent/grant', { body: '{"purpose":7}', type: 'application/json' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/restrict', { body: 'x', type: 'text/plain' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/restrict', { body: '--b\r\nbroken', type: 'multipart/form-data; boundary=b' }, { code: 'BAD_FIELD', field: 'body' }],
      ['/restrict', { body: `a=${'x'.repeat(17_000)}` }, { code: 'BAD_FIELD', field: 'body' }],
    ];
    for (const [path, body, expected] of cases) {
      const response = await send(path, body);
      const text = await response.text();
      expect([path, body.body.slice(0, 40), response.status]).toEqual([path, body.body.slice(0, 40), 400]);
      expect(JSON.parse(text)).toMatchObject({ error: { status: 400, ...expected } });
      expect(text).not.toMatch(/at .*\.ts:\d+|Error:/);
    }
    expect(await f.count()).toBe(before);
  });

  it('says in words that her history refuses an action (409), appending nothing', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: (await pageJson(f, cookie)).csrfToken });
    const before = await f.count();
    const again = await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: (await pageJson(f, cookie)).csrfToken });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('This could not be done: there is no consent for this purpose to withdraw.');
    expect(await f.count()).toBe(before);
  });

  it('answers a failure of its own with a bare 500, and tells the host', async () => {
    const seen: unknown[] = [];
    const f = await fixture({ center: { onError: (error) => seen.push(error) } });
    const cookie = await signIn(f);
    Object.assign(f.store, {
      readStream: async function* () {
        throw new Error('disk on fire at /var/lib/secret.db');
      },
    });
    const response = await f.center.handle(request('/', { cookie, accept: 'application/json' }));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { status: 500, code: 'INTERNAL', message: 'Something went wrong on our side. Please try again later.' } });
    expect(text).not.toContain('disk on fire');
    expect(seen).toHaveLength(1);
  });

  it('refuses options that would make it unsafe', async () => {
    const f = await fixture();
    const { createPrivacyCenter } = await import('./create-privacy-center');
    const notice = { id: 'n', version: '1' };
    expect(() => createPrivacyCenter({ ledger: f.ledger, secret: 'short', notice })).toThrow(/secret/);
    expect(() => createPrivacyCenter({ ledger: f.ledger, secret: 'x'.repeat(32), notice, basePath: 'privacy/' })).toThrow(/basePath/);
    expect(SUBJECT).toBe('cust-4f9a2c');
  });
});
