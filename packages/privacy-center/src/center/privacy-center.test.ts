import { describe, expect, it } from '@jest/globals';
import { openNote, parseCheckpoint, verifyReceipt } from '@custodian/core';
import { fixture, ORIGIN, OTHER, pageJson, post, request, signIn, SUBJECT } from '../test-support/fixture';

describe('opening a link', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and sends her to her page, the token out of the address', async () => {
    const f = await fixture();
    const link = f.center.issueLink({ subjectId: SUBJECT, expiresAt: new Date(f.clock.now.getTime() + 60_000) });
    expect(link).toMatch(/^\/link\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(link).not.toContain(SUBJECT);
    const opened = await f.center.handle(request(link));
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/');
    const [cookie] = opened.headers.getSetCookie();
    expect(cookie).toMatch(/^custodian_pc=[^;]+; Path=\/; Max-Age=1800; HttpOnly; SameSite=Strict$/);
  });

  it('marks the cookie Secure over https, and scopes it to the base path', async () => {
    const f = await fixture({ center: { basePath: '/privacy' } });
    const link = f.center.issueLink({ subjectId: SUBJECT, expiresAt: new Date(f.clock.now.getTime() + 60_000) });
    expect(link.startsWith('/privacy/link/')).toBe(true);
    const opened = await f.center.handle(new Request(`https://shop.example${link}`));
    expect(opened.headers.get('location')).toBe('/privacy/');
    expect(opened.headers.getSetCookie()[0]).toMatch(/; Path=\/privacy; Max-Age=1800; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('refuses to issue a link for a malformed subject id or with a date that is not one', async () => {
    const f = await fixture();
    expect(() => f.center.issueLink({ subjectId: 'ann@example.com', expiresAt: new Date() })).toThrow(/subjectId/);
    expect(() => f.center.issueLink({ subjectId: SUBJECT, expiresAt: new Date('nonsense') })).toThrow(/expiresAt/);
  });

  it('takes the host’s own session where `identify` names her, with no link', async () => {
    const f = await fixture({ center: { identify: (req) => (req.headers.get('x-host-user') === 'ann' ? SUBJECT : undefined) } });
    const page = await f.center.handle(request('/', { headers: { 'x-host-user': 'ann' }, accept: 'application/json' }));
    expect(page.status).toBe(200);
    const data = (await page.json()) as { subjectId: string; csrfToken: string };
    expect(data.subjectId).toBe(SUBJECT);
    const withdrawn = await f.center.handle(
      request('/consent/withdraw', {
        method: 'POST',
        headers: { 'x-host-user': 'ann', 'x-csrf-token': data.csrfToken },
        accept: 'application/json',
        type: 'application/json',
        body: '{"purpose":"marketing.email"}',
      }),
    );
    expect(withdrawn.status).toBe(200);
    expect((await f.ledger.consentState(SUBJECT))['marketing.email']?.status).toBe('withdrawn');
    expect((await f.center.handle(request('/', { headers: { 'x-host-user': 'bob' } }))).status).toBe(401);
  });
});

describe('her page', () => {
  it('shows what is held and why, her consents with their notice, uses and shares, who holds a copy; never a value', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const response = await f.center.handle(request('/', { cookie }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('<span class="tag">contact.email</span> <span class="small">from checkout-form');
    expect(html).toContain('<span class="tag">marketing.email</span> Offers by email<br><span class="small">Allowed by the customer&#39;s consent.</span>');
    expect(html).toContain('data-consent="granted"');
    expect(html).toContain('under notice privacy-notice version v3');
    expect(html).toContain('Allowed by a contract with the customer.');
    for (const kind of ['collected', 'consented', 'used', 'shared']) expect(html).toContain(`data-kind="${kind}"`);
    expect(html).toContain('campaign-service');
    expect(html).toContain('<strong>Brightmail Agency GmbH</strong> (DE): contact.email for marketing.email; <span data-erasure="not_requested">holds a copy</span>');
    expect(html).toContain('<input type="hidden" name="csrf"');
    expect(html).not.toContain('ann@example.com');
    expect(html).not.toContain(OTHER);
    expect(html).not.toContain('<script');
  });

  it('answers JSON on the same route, her data by kind only', async () => {
    const f = await fixture();
    const data = await pageJson(f, await signIn(f));
    expect(data).toMatchObject({ subjectId: SUBJECT, chain: { ok: true }, notice: { id: 'privacy-notice', version: 'v3' }, restricted: false });
    expect(data.purposes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          purpose: 'marketing.email',
          canWithdraw: true,
          consent: expect.objectContaining({ status: 'granted', notice: { id: 'privacy-notice', version: 'v3' } }),
        }),
      ]),
    );
    expect(JSON.stringify(data)).not.toContain('ann@example.com');
    expect(typeof data.csrfToken).toBe('string');
  });

  it('shows another customer only her own page: no route takes a subject id', async () => {
    const f = await fixture();
    const data = await pageJson(f, await signIn(f, OTHER));
    expect(data.subjectId).toBe(OTHER);
    expect(JSON.stringify(data)).not.toContain(SUBJECT);
    expect(
      (await f.center.handle(request(`/?subjectId=${SUBJECT}`, { cookie: await signIn(f, OTHER), accept: 'application/json' })).then((r) => r.json())) as { subjectId: string },
    ).toMatchObject({
      subjectId: OTHER,
    });
  });

  it('has an empty page, with her choices, for someone the ledger holds nothing about', async () => {
    const f = await fixture();
    const html = await (await f.center.handle(request('/', { cookie: await signIn(f, 'cust-new') }))).text();
    expect(html).toContain('We hold no data about you.');
    expect(html).toContain('Give my consent');
  });
});

describe('her erasure', () => {
  it('shows the erasure she asked for, and each company that confirmed erasing its copy', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    expect((await post(f, '/erasure', cookie, { csrf: (await pageJson(f, cookie)).csrfToken })).status).toBe(200);
    await f.ledger.erase({ subjectId: SUBJECT, actor: { id: 'dpo@retailer', kind: 'employee', roles: ['privacy'] } });
    let html = await (await f.center.handle(request('/', { cookie }))).text();
    expect(html).toContain('<span data-erasure="pending">asked to erase, not yet confirmed</span>');
    expect(html).toContain('data-erased="true"');
    expect(html).not.toContain('Erase my data');
    await f.ledger.confirmRecipientErasure({ subjectId: SUBJECT, recipientId: 'brightmail-agency', actor: { id: 'brightmail-agency', kind: 'recipient', roles: [] } });
    html = await (await f.center.handle(request('/', { cookie }))).text();
    expect(html).toContain('<span data-erasure="confirmed">confirmed erasing its copy</span>');
    expect(html).toContain('data-kind="erasure-confirmed"');
  });
});

describe('her actions', () => {
  it('withdraws a consent: one event, the page shows it withdrawn, and its receipt verifies with the public key', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const { csrfToken } = await pageJson(f, cookie);
    const before = await f.count();
    const done = await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: csrfToken });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain('You withdrew your consent to marketing.email.');
    expect(await f.count()).toBeGreaterThan(before);
    expect((await f.ledger.consentState(SUBJECT))['marketing.email']?.status).toBe('withdrawn');
    const page = await (await f.center.handle(request('/', { cookie }))).text();
    expect(page).toContain('data-consent="withdrawn"');
    expect(page).toContain('data-kind="withdrawn"');

    const receiptPath = /href="(\/receipts\/[0-9a-f-]+)" download/.exec(html)?.[1] ?? '';
    await f.checkpointer.checkpointNow();
    const receipt = await f.center.handle(request(receiptPath, { cookie }));
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-disposition')).toMatch(/^attachment; filename="receipt-[0-9a-f-]+\.json"$/);
    const check = verifyReceipt(await receipt.text(), f.publicKey);
    expect(check).toMatchObject({ ok: true, proven: true });
  });

  it('grants a consent under the notice the center is given, by a web form, as herself', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: (await pageJson(f, cookie)).csrfToken });
    const granted = await post(f, '/consent/grant', cookie, { purpose: 'marketing.email', csrf: (await pageJson(f, cookie)).csrfToken }, 'application/json');
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { eventType: string; receipt: string };
    expect(body).toMatchObject({ done: 'grant', eventType: 'ConsentGranted', receipt: expect.stringMatching(/^\/receipts\//) });
    expect((await f.ledger.consentState(SUBJECT))['marketing.email']).toMatchObject({ status: 'granted', method: 'web-form', notice: { id: 'privacy-notice', version: 'v3' } });
    const history = await f.ledger.history(SUBJECT);
    expect(history.length).toBeGreaterThan(0);
  });

  it('objects, restricts and asks for erasure, each as one event of hers', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    for (const [path, fields, type] of [
      ['/object', { purpose: 'fraud.prevention' }, 'ObjectionRaised'],
      ['/restrict', {}, 'ProcessingRestricted'],
      ['/erasure', {}, 'ErasureRequested'],
    ] as const) {
      const response = await post(f, path, cookie, { ...fields, csrf: (await pageJson(f, cookie)).csrfToken }, 'application/json');
      expect(response.status).toBe(200);
      expect(((await response.json()) as { eventType: string }).eventType).toBe(type);
    }
    const page = await pageJson(f, cookie);
    expect(page).toMatchObject({ restricted: true, erasure: { requestedAt: expect.any(String) } });
    expect((page.openRequests as { right: string }[]).map((q) => q.right)).toEqual(['erasure']);
  });

  it('hands her export over as a JSON download, her values in it, and records the request', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const response = await post(f, '/export', cookie, { csrf: (await pageJson(f, cookie)).csrfToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="my-data-2026-03-01.json"');
    expect(response.headers.get('link')).toMatch(/^<\/receipts\/[0-9a-f-]+>; rel="receipt"$/);
    const exported = (await response.json()) as { format: string; subjectId: string; data: { category: string; value: string }[] };
    expect(exported).toMatchObject({ format: 'custodian.subject-export/1', subjectId: SUBJECT });
    expect(exported.data).toContainEqual(expect.objectContaining({ category: 'contact.email', value: 'ann@example.com' }));
    const page = await f.center.handle(request('/', { cookie }));
    expect(await page.text()).not.toContain('ann@example.com');
  });

  it('names the signed checkpoint her history stands in, counts her events in it and after it, and hands its note over to check', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    await f.checkpointer.checkpointNow();
    const signed = await pageJson(f, cookie);
    const all = (signed.checkpoint as { of: number }).of;
    expect(all).toBeGreaterThan(0);
    expect(signed.checkpoint).toMatchObject({ origin: ORIGIN, covered: all, url: '/checkpoint' });

    expect(await (await f.center.handle(request('/', { cookie }))).text()).toContain(`All ${all} of your events are in the log as the company signed it`);
    await post(f, '/restrict', cookie, { csrf: signed.csrfToken });
    const after = await pageJson(f, cookie);
    const newer = (after.checkpoint as { of: number }).of - all;
    expect(newer).toBeGreaterThan(0);
    expect(after.checkpoint).toMatchObject({ covered: all });
    const html = await (await f.center.handle(request('/', { cookie }))).text();
    expect(html).toContain(`${all} of your ${all + newer} events are in the log as the company signed it: checkpoint of ${ORIGIN}`);
    expect(html).toContain(`; ${newer} came after it, for the next checkpoint to sign.`);

    // Public: anyone may fetch the note a receipt is checked against, and it verifies with the public key alone.
    const note = await f.center.handle(request('/checkpoint'));
    expect(note.status).toBe(200);
    const text = await note.text();
    const opened = openNote(text, f.publicKey);
    expect(parseCheckpoint(opened.text)).toMatchObject({ origin: ORIGIN, size: (signed.checkpoint as { size: number }).size });
    expect(Buffer.from(parseCheckpoint(opened.text).root).toString('base64')).toBe((signed.checkpoint as { root: string }).root);
  });

  it('says so where the ledger is not signed, and offers no receipt', async () => {
    const f = await fixture({ center: { checkpointer: undefined } });
    const cookie = await signIn(f);
    const done = await post(f, '/restrict', cookie, { csrf: (await pageJson(f, cookie)).csrfToken });
    expect(await done.text()).toContain('This service does not sign its ledger, so it cannot give you a receipt for this.');
    const page = await pageJson(f, cookie);
    expect(page.receipts).toMatchObject({ available: false });
    expect((await f.center.handle(request('/receipts/0190a0a0-0000-7000-8000-000000000000', { cookie, accept: 'application/json' }))).status).toBe(404);
    expect(page.checkpoint).toBeUndefined();
    const note = await f.center.handle(request('/checkpoint', { accept: 'application/json' }));
    expect(note.status).toBe(404);
    expect(await note.json()).toMatchObject({ error: { code: 'NO_CHECKPOINT' } });
  });

  it('gives no receipt for another customer’s act', async () => {
    const f = await fixture();
    const theirs = await pageJson(f, await signIn(f));
    const act = (theirs.receipts as { acts: { eventId: string }[] }).acts[0]?.eventId ?? '';
    const response = await f.center.handle(request(`/receipts/${act}`, { cookie: await signIn(f, OTHER), accept: 'application/json' }));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { status: 404, code: 'NO_RECEIPT', message: 'There is no receipt of yours by that reference.' } });
  });
});
