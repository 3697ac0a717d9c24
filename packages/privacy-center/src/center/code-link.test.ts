import { describe, expect, it } from '@jest/globals';
import { CODE_ATTEMPTS, CODE_TTL_MS } from '../auth';
import { fixture, request, SUBJECT, type Fixture } from '../test-support/fixture';

// A link with a code: the link alone shows a form; the code, sent by another channel, opens her
// session; 3 wrong codes kill the link; the code is good for 10 minutes, whatever the link's expiry.

const DAY = 24 * 3_600_000;

async function codeLink(f: Fixture) {
  return f.center.issueCodeLink({ subjectId: SUBJECT, expiresAt: new Date(f.clock.now.getTime() + DAY) });
}

/** The code form's token, as her browser reads it from the form the link shows. */
async function formToken(f: Fixture, link: string): Promise<string> {
  const shown = await f.center.handle(request(link, { accept: 'application/json' }));
  expect(shown.status).toBe(200);
  return ((await shown.json()) as { csrfToken: string }).csrfToken;
}

function postCode(f: Fixture, link: string, fields: Record<string, string>, accept = 'application/json'): Promise<Response> {
  return f.center.handle(request(link, { method: 'POST', accept, type: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() }));
}

async function errorOf(response: Response): Promise<{ status: number; code: string; field?: string }> {
  return ((await response.json()) as { error: { status: number; code: string; field?: string } }).error;
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('a link with a code', () => {
  it('gives 6 digits beside a link that holds neither the code nor her id, good for 10 minutes', async () => {
    const f = await fixture();
    const { link, code, codeExpiresAt } = await codeLink(f);
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(link).toMatch(/^\/link\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const payload = Buffer.from(link.split('/')[2]?.split('.')[0] ?? '', 'base64url').toString('utf8');
    const carried = JSON.parse(payload) as Record<string, unknown>;
    expect(Object.keys(carried).sort()).toEqual(['c', 'e', 'h', 'n', 's']);
    expect(Object.values(carried).map(String)).not.toContain(code);
    expect(link).not.toContain(code);
    expect(codeExpiresAt.getTime() - f.clock.now.getTime()).toBe(CODE_TTL_MS);
    expect(CODE_TTL_MS).toBe(10 * 60_000);
    expect(CODE_ATTEMPTS).toBe(3);
  });

  it('shows a form asking for the code, and sets no session', async () => {
    const f = await fixture({ center: { basePath: '/privacy' } });
    const { link } = await codeLink(f);
    const shown = await f.center.handle(request(link));
    expect(shown.status).toBe(200);
    expect(shown.headers.getSetCookie()).toEqual([]);
    const html = await shown.text();
    expect(html).toContain(`<form method="post" action="${link}" data-code-form>`);
    expect(html).toMatch(/<input type="hidden" name="csrf" value="[A-Za-z0-9_.-]+">/);
    expect(html).toContain('name="code"');
    expect(html).toContain('autocomplete="one-time-code"');
    expect((await f.center.handle(request('/privacy/'))).status).toBe(401);
  });

  it('opens her session with the right code, posted with the form token', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const opened = await postCode(f, link, { csrf: await formToken(f, link), code }, 'text/html');
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/');
    const cookie = (opened.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^custodian_pc=/);
    const page = await f.center.handle(request('/', { cookie, accept: 'application/json' }));
    expect(page.status).toBe(200);
    expect(((await page.json()) as { subjectId: string }).subjectId).toBe(SUBJECT);
  });

  it('takes its code once: the link and its code cannot open a second session, and nothing is appended', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const before = await f.count();
    const spare = await formToken(f, link);
    expect((await postCode(f, link, { csrf: await formToken(f, link), code })).status).toBe(303);
    const again = await postCode(f, link, { csrf: spare, code });
    expect(again.status).toBe(403);
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(await errorOf(again)).toMatchObject({ code: 'CODE_USED' });
    expect(await errorOf(await f.center.handle(request(link, { accept: 'application/json' })))).toMatchObject({ status: 403, code: 'CODE_USED' });
    expect(await f.count()).toBe(before);
  });

  it('refuses a wrong code, and after 3 wrong ones refuses even the right code: the link is dead', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const tokens = [await formToken(f, link), await formToken(f, link), await formToken(f, link), await formToken(f, link)];
    const first = await postCode(f, link, { csrf: tokens[0] ?? '', code: wrongCode(code) });
    expect(first.status).toBe(401);
    expect(first.headers.getSetCookie()).toEqual([]);
    expect(await errorOf(first)).toMatchObject({ code: 'CODE_WRONG', field: 'code' });
    expect(await errorOf(await postCode(f, link, { csrf: tokens[1] ?? '', code: wrongCode(code) }))).toMatchObject({ status: 401, code: 'CODE_WRONG' });
    expect(await errorOf(await postCode(f, link, { csrf: tokens[2] ?? '', code: wrongCode(code) }))).toMatchObject({ status: 403, code: 'CODE_LOCKED' });
    const right = await postCode(f, link, { csrf: tokens[3] ?? '', code });
    expect(right.status).toBe(403);
    expect(right.headers.getSetCookie()).toEqual([]);
    expect(await errorOf(right)).toMatchObject({ code: 'CODE_LOCKED' });
    expect(await errorOf(await f.center.handle(request(link, { accept: 'application/json' })))).toMatchObject({ status: 403, code: 'CODE_LOCKED' });
  });

  it('shows the form again after a wrong code, with a fresh form token and the attempts left', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const again = await postCode(f, link, { csrf: await formToken(f, link), code: wrongCode(code) }, 'text/html');
    expect(again.status).toBe(401);
    const html = await again.text();
    expect(html).toContain('data-error="CODE_WRONG"');
    expect(html).toContain('2 attempts left');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect((await postCode(f, link, { csrf, code }, 'text/html')).status).toBe(303);
  });

  it('refuses the right code 10 minutes after its issue, though the link itself is good for a day', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const csrf = await formToken(f, link);
    f.clock.advance(CODE_TTL_MS);
    expect(await errorOf(await postCode(f, link, { csrf, code }))).toMatchObject({ status: 401, code: 'CODE_EXPIRED' });
    expect(await errorOf(await f.center.handle(request(link, { accept: 'application/json' })))).toMatchObject({ status: 401, code: 'CODE_EXPIRED' });
  });

  it('still takes the right code just before its 10 minutes are up', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const csrf = await formToken(f, link);
    f.clock.advance(CODE_TTL_MS - 1);
    expect((await postCode(f, link, { csrf, code })).status).toBe(303);
  });

  it('cannot open a session without its code: no code, another link’s code, no form token, the plain link route', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    const other = await codeLink(f);
    expect(await errorOf(await postCode(f, link, { csrf: await formToken(f, link) }))).toMatchObject({ status: 400, code: 'BAD_FIELD', field: 'code' });
    const otherCode = other.code === code ? wrongCode(code) : other.code;
    expect(await errorOf(await postCode(f, link, { csrf: await formToken(f, link), code: otherCode }))).toMatchObject({ code: 'CODE_WRONG' });
    expect(await errorOf(await postCode(f, link, { code }))).toMatchObject({ status: 403, code: 'CSRF_MISSING' });
    expect(await errorOf(await postCode(f, link, { csrf: await formToken(f, other.link), code }))).toMatchObject({ status: 403, code: 'CSRF_INVALID' });
    const plain = f.center.issueLink({ subjectId: SUBJECT, expiresAt: new Date(f.clock.now.getTime() + DAY) });
    expect(await errorOf(await postCode(f, plain, { code }))).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    const tampered = link.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect(await errorOf(await f.center.handle(request(tampered, { accept: 'application/json' })))).toMatchObject({ status: 403, code: 'TOKEN_INVALID' });
  });

  it('answers a malformed code with a 400 naming the field, and does not count it as an attempt', async () => {
    const f = await fixture();
    const { link, code } = await codeLink(f);
    for (const bad of ['12345', '1234567', 'abcdef', ' 12345', '12 456', '１２３４５６', '']) {
      const refused = await postCode(f, link, { csrf: await formToken(f, link), code: bad });
      expect(refused.status).toBe(400);
      expect(await errorOf(refused)).toMatchObject({ code: 'BAD_FIELD', field: 'code' });
    }
    expect(await errorOf(await postCode(f, link, { csrf: await formToken(f, link), code, extra: 'x' }))).toMatchObject({ status: 400, field: 'body' });
    const page = await postCode(f, link, { csrf: await formToken(f, link), code: '12345' }, 'text/html');
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('The field &quot;code&quot; must be the 6 digits we sent you.');
    expect((await postCode(f, link, { csrf: await formToken(f, link), code })).status).toBe(303);
  });
});
