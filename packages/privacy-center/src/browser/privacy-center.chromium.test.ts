import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyReceipt } from '@custodian/core';
// The whole of axe as a script's text, to inject into each page it checks.
import { source as axeSource } from 'axe-core';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { chromiumInstalled, CHROMIUM, launchChromium, seriousViolations, serve, visitor, type Served } from '../test-support/browser';
import { fixture, OTHER, SUBJECT, type Fixture } from '../test-support/fixture';

// Her page as her browser shows it, on a real socket: what she reads, what her clicks do,
// what she downloads, and what an attacker's browser gets. CI installs Chromium (.ci/run)
// and must run this; on a machine without it, the suite still runs and this says why not.
const installed = chromiumInstalled();
const inCi = process.env['CI'] === 'true';
if (!installed && !inCi) console.warn(`Skipping the privacy center's browser tests: ${CHROMIUM} is not installed (apt-get install chromium). In CI (CI=true) they fail instead.`);

// Screenshots are rewritten only on request, so a test run never changes the repository.
const DOCS = join(__dirname, '..', '..', '..', '..', 'docs');
const XSS = ['<script>window.__xss=1</script>', '"><img src=x onerror="window.__xss=1">'];
const xss = (where: string) => `${where} ${XSS.join(' ')}`;

describe('the privacy center in headless Chromium', () => {
  if (!installed && inCi) {
    it('needs Chromium in CI', () => {
      throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium, as .ci/run does) to test the privacy center in a browser`);
    });
    return;
  }
  const test = installed ? it : (name: string, fn: () => Promise<void>) => it.skip(`${name} (skipped: ${CHROMIUM} is not installed)`, fn);

  let browser: Browser;
  let f: Fixture;
  let served: Served;
  const contexts: BrowserContext[] = [];
  const servers: Served[] = [];
  beforeAll(async () => {
    if (!installed) return;
    browser = await launchChromium();
    f = await fixture();
    // A request she made earlier, so her page has one still open, with its days left.
    await f.ledger.requestErasure({ subjectId: SUBJECT, actor: { id: SUBJECT, kind: 'subject', roles: [] } });
    // And a checkpoint signed over all of it, which her page names.
    await f.checkpointer.checkpointNow();
    served = await serve(f.center);
    servers.push(served);
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    for (const server of servers) await server.close();
    await browser?.close();
  }, 60_000);

  const newPage = async (): Promise<Page> => {
    const { context, page } = await visitor(browser);
    contexts.push(context);
    return page;
  };
  const linkOf = (on: Fixture, subjectId = SUBJECT, ms = 60 * 60_000) => on.center.issueLink({ subjectId, expiresAt: new Date(on.clock.now.getTime() + ms) });
  /** She opens the link of her email: it signs her in and sends her to her page. */
  const signedIn = async (on = f, server = served): Promise<Page> => {
    const page = await newPage();
    const response = await page.goto(`${server.base}${linkOf(on)}`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    return page;
  };
  const region = (page: Page, name: string) => page.getByRole('region', { name }).innerText();
  const saved = async (download: Download) => readFileSync(await download.path(), 'utf8');
  const screenshot = async (page: Page, name: string) => {
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    if (process.env['UPDATE_SCREENSHOTS'] === '1') writeFileSync(join(DOCS, name), png);
  };

  describe('her visit', () => {
    test('she opens her link and reads, in plain words, what is held, why, every use and share, and her open request', async () => {
      const page = await signedIn();
      // The browser's contexts bypass the CSP (see `visitor`); the server still sends it.
      const sent = await page.request.get(page.url());
      expect(sent.headers()['content-security-policy']).toContain("default-src 'none'");
      await expect(page.title()).resolves.toBe('Your data at Shop');
      expect(await page.locator('[data-chain]').innerText()).toMatch(/^Your history checked out: none of the \d+ events recorded about you was changed/);
      expect(await page.locator('[data-checkpoint]').innerText()).toMatch(
        /^All \d+ of your events are in the log as the company signed it: checkpoint of shop\.example\/ledger, \d+ events, root \S+ \(download the signed checkpoint\)\./,
      );
      const purposes = await region(page, 'What your data is used for');
      expect(purposes).toContain('marketing.email Offers by email');
      expect(purposes).toContain("Allowed by the customer's consent.");
      expect(await page.locator('[data-purpose="marketing.email"] [data-consent]').innerText()).toBe('granted');
      expect(purposes).toContain('under notice privacy-notice version v3');
      expect(purposes).toMatch(/order\.fulfilment\s+Allowed by a contract with the customer\./);
      const timeline = await region(page, 'Every use, access and share of your data, oldest first');
      expect(timeline).toContain('Activity: campaign:spring-sale.');
      expect(timeline).toContain('Who: campaign-service (a service, role marketing).');
      expect(timeline).toContain('To: Brightmail Agency GmbH (DE).');
      expect(await region(page, 'Companies that hold a copy')).toMatch(/^Brightmail Agency GmbH \(DE\): contact\.email for marketing\.email;/m);
      expect(await region(page, 'Your requests still to be answered')).toMatch(/Erasure.*: \d+ days left/i);
      expect(await page.content()).not.toContain('ann@example.com');
      await screenshot(page, 'privacy-center-page.png');
    });

    test('she withdraws her consent with the form’s button, sees it withdrawn, and its receipt verifies with the public key', async () => {
      const page = await signedIn();
      const before = await f.count();
      await page.locator('[data-purpose="marketing.email"]').getByRole('button', { name: 'Withdraw my consent' }).click();
      await page.waitForURL('**/consent/withdraw');
      expect(await page.locator('[data-done]').innerText()).toBe('You withdrew your consent to marketing.email.');
      // Her withdrawal, and what it owes the company that holds a copy.
      expect(await f.count()).toBeGreaterThan(before);
      expect((await f.ledger.consentState(SUBJECT))['marketing.email']?.status).toBe('withdrawn');
      await screenshot(page, 'privacy-center-done.png');

      // A receipt is proven once a signed checkpoint covers her act.
      await f.checkpointer.checkpointNow();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download your receipt' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^receipt-[0-9a-f-]+\.json$/);
      const receipt = await saved(download);
      expect(verifyReceipt(receipt, f.publicKey)).toMatchObject({ ok: true, proven: true });
      expect(JSON.parse(receipt)).toMatchObject({ piiPrincipalId: SUBJECT });

      await page.getByRole('link', { name: 'Back to your page' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      expect(await page.locator('[data-purpose="marketing.email"] [data-consent]').innerText()).toBe('withdrawn');
      expect(await page.locator('[data-kind="withdrawn"]').count()).toBe(1);
      await expect(page.getByRole('button', { name: 'Give my consent' }).count()).resolves.toBe(1);
    });

    test('she downloads her export, her values in it, and the receipt of her request, which verifies', async () => {
      const page = await signedIn();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download a copy of my data (JSON)' }).click()]);
      expect(download.suggestedFilename()).toBe('my-data-2026-03-01.json');
      const exported = JSON.parse(await saved(download)) as { format: string; subjectId: string; data: { category: string; value: string }[] };
      expect(exported).toMatchObject({ format: 'custodian.subject-export/1', subjectId: SUBJECT });
      expect(exported.data).toContainEqual(expect.objectContaining({ category: 'contact.email', value: 'ann@example.com' }));
      expect(JSON.stringify(exported)).not.toContain('bea@example.com');

      await f.checkpointer.checkpointNow();
      await page.reload();
      const act = page.getByRole('region', { name: 'Your choices and requests, with their receipts' }).getByRole('listitem').filter({ hasText: 'AccessRequestFulfilled' });
      const [receipt] = await Promise.all([page.waitForEvent('download'), act.getByRole('link', { name: 'Download the receipt' }).click()]);
      expect(verifyReceipt(await saved(receipt), f.publicKey)).toMatchObject({ ok: true, proven: true });
    });
  });

  describe('what an attacker’s browser gets', () => {
    test('the check finds what it is for: the same payloads, unescaped, run in this browser', async () => {
      const page = await newPage();
      await page.setContent(`<!doctype html><html><body><p>${XSS[0] ?? ''}</p></body></html>`);
      expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBe(1);
    });

    /** A link token's two parts: the payload and its MAC, both base64url. */
    const partsOf = (link: string) => {
      const [payload = '', mac = ''] = link.slice('/link/'.length).split('.');
      return { payload, mac };
    };
    const refused = async (path: string, status: number, code: string) => {
      const page = await newPage();
      const response = await page.goto(`${served.base}${path}`);
      expect(response?.status()).toBe(status);
      expect(await page.locator('[data-error]').getAttribute('data-error')).toBe(code);
      expect(await page.locator('body').innerText()).not.toMatch(/at .*\.ts:\d+|Error: /);
      // No session was opened: her page still asks to sign in.
      expect((await page.goto(`${served.base}/`))?.status()).toBe(401);
      return page;
    };

    test('a link with one byte of its signature changed is refused', async () => {
      const { payload, mac } = partsOf(linkOf(f));
      const bytes = Buffer.from(mac, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      await refused(`/link/${payload}.${bytes.toString('base64url')}`, 403, 'TOKEN_INVALID');
    });

    test('her link cannot be turned into another customer’s: a changed subject is refused, and nothing of hers shows', async () => {
      const { payload, mac } = partsOf(linkOf(f));
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(claims['s']).toBe(SUBJECT);
      const theirs = Buffer.from(JSON.stringify({ ...claims, s: OTHER })).toString('base64url');
      const page = await refused(`/link/${theirs}.${mac}`, 403, 'TOKEN_INVALID');
      expect(await page.content()).not.toContain(OTHER);
    });

    test('a link past its expiry is refused', async () => {
      const soon = linkOf(f, SUBJECT, 1_000);
      f.clock.advance(2_000);
      await refused(soon, 401, 'LINK_EXPIRED');
    });

    test('a POST without its form token gets a 403 page and appends nothing', async () => {
      const page = await signedIn();
      const before = await f.count();
      // The browser's own form, its token removed, as a cross-site form would arrive.
      await page.locator('form[action="/restrict"] input[name="csrf"]').evaluate((input: { remove(): void }) => input.remove());
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Put all processing of my data on hold' }).click(),
      ]);
      expect(response.status()).toBe(403);
      await page.waitForLoadState();
      expect(await page.locator('[data-error]').getAttribute('data-error')).toBe('CSRF_MISSING');
      const posted = await page.request.post(`${served.base}/consent/grant`, { form: { purpose: 'marketing.email' }, headers: { accept: 'application/json' } });
      expect(posted.status()).toBe(403);
      expect(await posted.json()).toMatchObject({ error: { status: 403, code: 'CSRF_MISSING' } });
      expect(await f.count()).toBe(before);
    });

    test('script in every free text that reaches her pages shows as text and never runs', async () => {
      const hostile = await fixture({
        texts: {
          description: xss('description'),
          recipientName: xss('recipient'),
          agreement: xss('agreement'),
          noticeId: xss('notice'),
          // A notice version is at most 50 characters: the attribute-breaking payload alone.
          noticeVersion: XSS[1],
          actorId: xss('actor'),
          activity: xss('activity'),
          source: xss('source'),
        },
        center: { title: xss('title') },
      });
      const server = await serve(hostile.center);
      servers.push(server);
      const page = await signedIn(hostile, server);
      const images: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/x') images.push(request.url());
      });
      const ran = () => page.evaluate(() => (globalThis as { __xss?: unknown }).__xss);
      await page.reload();
      expect(await ran()).toBeUndefined();
      const text = await page.locator('body').innerText();
      expect(text).toContain(`version ${XSS[1] ?? ''}`);
      for (const where of ['description', 'recipient', 'agreement', 'notice', 'actor', 'activity', 'source', 'title']) expect(text).toContain(xss(where));
      expect(await page.locator('main script, main img').count()).toBe(0);

      await page.locator('[data-purpose="marketing.email"]').getByRole('button', { name: 'Withdraw my consent' }).click();
      await page.waitForURL('**/consent/withdraw');
      expect(await ran()).toBeUndefined();
      expect(await page.title()).toBe(`Done: ${xss('title')}`);
      await page.goto(`${server.base}/${encodeURIComponent(XSS[0] ?? '')}`);
      expect(await ran()).toBeUndefined();
      expect(images).toEqual([]);
    });
  });

  describe('accessibility (axe-core)', () => {
    test('the check finds what it is for: a page with an unnamed button and an image without text fails it', async () => {
      const page = await newPage();
      await page.setContent('<!doctype html><html><body><button></button><img src="data:,"></body></html>');
      expect((await seriousViolations(page, axeSource)).join('\n')).toMatch(/critical: button-name[\s\S]*critical: image-alt/);
    });

    test('her page, the page of a done action and an error page have no serious or critical violation', async () => {
      const page = await signedIn();
      expect(await seriousViolations(page, axeSource)).toEqual([]);
      await page.locator('[data-purpose="fraud.prevention"]').getByRole('button', { name: 'Object to this' }).click();
      await page.waitForURL('**/object');
      expect(await page.locator('[data-done]').count()).toBe(1);
      expect(await seriousViolations(page, axeSource)).toEqual([]);
      const stranger = await newPage();
      expect((await stranger.goto(`${served.base}/`))?.status()).toBe(401);
      expect(await seriousViolations(stranger, axeSource)).toEqual([]);
      expect((await page.goto(`${served.base}/nowhere`))?.status()).toBe(404);
      expect(await seriousViolations(page, axeSource)).toEqual([]);
    });
  });
});
