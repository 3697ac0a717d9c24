import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { nodeListener, type FetchHandler } from '../http';

/** Debian's Chromium, the one the project's other browser tests drive; playwright-core downloads none. */
export const CHROMIUM = '/usr/bin/chromium';

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM);

/** One headless browser for a test file; the sandbox flags let it run as root in a container. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: 60_000 });
}

/**
 * A fresh context, as a new visitor: no cookie, downloads kept. Its CSP is bypassed, so
 * that axe can be injected and an XSS check proves the escaping, not the CSP in front of it.
 */
export async function visitor(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true, viewport: { width: 1000, height: 800 } });
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

export interface Served {
  /** `http://127.0.0.1:<port>`: a real socket, as her browser reaches the host. */
  readonly base: string;
  close(): Promise<void>;
}

/** The center on a real `node:http` server, on a free port of the loopback. */
export async function serve(center: FetchHandler): Promise<Served> {
  const server = createServer(nodeListener(center));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** What axe found that a reader of the page cannot get past, in words a failing test can show. */
export async function seriousViolations(page: Page, axeSource: string): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: { run(): Promise<AxeResults> } };
    const results = await axe.run();
    return {
      passed: results.passes.length,
      violations: results.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })),
    };
  });
  // An axe that checked nothing would find nothing: a page of ours always passes some rules.
  if (found.passed === 0) throw new Error('axe-core checked no rule on this page');
  return found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.targets.join(', ')}`);
}
