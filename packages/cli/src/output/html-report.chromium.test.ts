import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../test-support/capture';
import { chromium, chromiumInstalled, CHROMIUM } from '../test-support/chromium';
import { EMAIL, storyFile, SUBJECT } from '../test-support/fixture';
import { plain, timelineEntries } from '../test-support/html';

// The report as a browser shows it. CI installs Chromium (.ci/run) and must run this; on a
// machine without it, the README's test command still works and this says why it did not run.
const installed = chromiumInstalled();
const inCi = process.env['CI'] === 'true';
if (!installed && !inCi) console.warn(`Skipping the HTML report's browser test: ${CHROMIUM} is not installed (apt-get install chromium). In CI (CI=true) it fails instead.`);

describe('the HTML report in headless Chromium', () => {
  if (!installed && inCi) {
    it('needs Chromium in CI', () => {
      throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium, as .ci/run does) to check the HTML report in a browser`);
    });
    return;
  }
  const test = installed ? it : (name: string, fn: () => void) => it.skip(`${name} (skipped: ${CHROMIUM} is not installed)`, fn);

  let story: Awaited<ReturnType<typeof storyFile>>;
  let page: string;
  beforeAll(async () => {
    story = await storyFile();
    page = join(story.dir, 'report.html');
    const { code } = await cli(['report', SUBJECT, '--html', page], { cwd: story.dir });
    expect(code).toBe(0);
  });
  afterAll(() => story.remove());

  test('renders every step of the lifecycle in order, with who and why', () => {
    const run = chromium(['--dump-dom', `file://${page}`]);
    expect(run.status).toBe(0);
    const dom = run.stdout;
    const entries = timelineEntries(dom);
    expect(entries.map((e) => e.kind)).toEqual([
      'collected',
      'consented',
      'used',
      'shared',
      'withdrawn',
      'notice-owed',
      'refused',
      'access-requested',
      'access-fulfilled',
      'erasure-requested',
      'erased',
    ]);
    const byKind = new Map(entries.map((e) => [e.kind, e]));
    expect(byKind.get('collected')).toMatchObject({
      who: 'checkout-service (a service, role fulfilment)',
      why: expect.stringContaining('legal basis: a contract with the customer'),
    });
    expect(byKind.get('consented')).toMatchObject({ who: 'The customer', why: 'Given by checkbox, under privacy notice privacy-notice v3.' });
    expect(byKind.get('used')).toMatchObject({
      who: 'campaign-service (a service, role marketing)',
      why: expect.stringMatching(/^Allowed by the customer's consent to marketing\.email/),
    });
    expect(byKind.get('shared')?.text).toContain('Shared contact.email with Brightmail Agency GmbH (DE)');
    expect(byKind.get('withdrawn')).toMatchObject({ who: 'The customer', why: expect.stringContaining('Withdrawn by email') });
    expect(byKind.get('refused')).toMatchObject({ who: 'campaign-service (a service, role marketing)', why: 'Refused because the customer had withdrawn consent.' });
    expect(byKind.get('erased')).toMatchObject({
      who: 'dpo@retailer (an employee, role privacy)',
      why: expect.stringContaining('Erasure notices sent to Brightmail Agency GmbH (DE)'),
    });
    expect(plain(dom)).toContain("What happened to this customer's data");
    expect(plain(dom)).toContain('Legend');
    expect(dom).not.toContain(EMAIL);
  });

  test('takes a screenshot of it', () => {
    const png = join(story.dir, 'report.png');
    const run = chromium([`--screenshot=${png}`, '--window-size=1200,1600', '--hide-scrollbars', `file://${page}`]);
    expect(run.status).toBe(0);
    expect(existsSync(png)).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, right after the signature and the chunk header.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1200, 1600]);
    expect(bytes.length).toBeGreaterThan(20_000);
  });
});
