import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../test-support/capture';
import { ADDRESS, EMAIL, OTHER, SUBJECT } from '../test-support/fixture';
import { timelineEntries } from '../test-support/html';
import { useStoryFiles } from '../test-support/story-files';

const files = useStoryFiles();

const LIFECYCLE = ['collected', 'consented', 'used', 'shared', 'withdrawn', 'notice-owed', 'refused', 'access-requested', 'access-fulfilled', 'erasure-requested', 'erased'];

describe('custodian report', () => {
  it('tells the lifecycle as a table: when, what, who and why', async () => {
    const { code, stdout, stderr } = await cli(['report', SUBJECT], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(
      new RegExp(`^Data lifecycle of subject ${SUBJECT} \\(history verified: 11 events, no link broken; removal of the latest events cannot be ruled out without a checkpoint\\)`),
    );
    expect(stdout).toMatch(/shared with: Brightmail Agency GmbH \(contact\.email; asked to erase, not yet confirmed\)/);
    expect(stdout).toMatch(/still owed: +Brightmail Agency GmbH to be told of the withdrawal of consent to marketing\.email, since 1 Mar 2026, 10:05:00 UTC\n/);
    const rows = stdout.split('\n').filter((line) => /^  2026-03-01 /.test(line));
    expect(rows.map((row) => row.slice(23).split(/ {2,}/)[0])).toEqual([
      'collected',
      'consented',
      'used',
      'shared',
      'withdrawn',
      'recipient to be told',
      'refused',
      'copy asked',
      'copy handed over',
      'erasure asked',
      'erased',
    ]);
    expect(rows[2]).toMatch(
      /campaign-service \(a service, role marketing\) +Used contact\.email for offers by email \(marketing\.email\)\. Activity: campaign:spring-sale\. Allowed by the customer's consent/,
    );
    expect(rows[5]).toMatch(/The customer +Brightmail Agency GmbH \(DE\) must be told of the withdrawal of consent to marketing\.email\. .*\(GDPR Art\. 19\)/);
    expect(rows[6]).toMatch(/Refused because the customer had withdrawn consent\./);
    expect(rows[10]).toMatch(/dpo@retailer \(an employee, role privacy\) +All of the customer's data was erased\..*Erasure notices sent to Brightmail Agency GmbH \(DE\)\./);
  });

  it('answers machines with the timeline in JSON', async () => {
    const { code, stdout } = await cli(['report', SUBJECT, '--json'], { cwd: files.story.dir });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { chain: { ok: boolean; checked: number }; items: { kind: string; actor: { id: string }; reason?: string; basis?: string }[] };
    expect(report.chain).toEqual({ ok: true, checked: 11 });
    expect(report.items.map((i) => i.kind)).toEqual(LIFECYCLE);
    expect(report.items[6]).toMatchObject({ kind: 'refused', reason: 'consent_withdrawn', actor: { id: 'campaign-service' } });
    expect(report.items[2]).toMatchObject({ kind: 'used', basis: 'consent' });
  });

  it('writes a self-contained HTML page with every step, who and why', async () => {
    const { code, stdout } = await cli(['report', SUBJECT, '--html', 'out.html'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote the HTML report to ${join(files.story.dir, 'out.html')}`);
    const html = readFileSync(join(files.story.dir, 'out.html'), 'utf8');
    const entries = timelineEntries(html);
    expect(entries.map((e) => e.kind)).toEqual(LIFECYCLE);
    const [collected, consented, used, shared, withdrawn, owed, refused] = entries;
    expect(collected?.who).toBe('checkout-service (a service, role fulfilment)');
    expect(collected?.why).toMatch(/order\.fulfilment \(legal basis: a contract with the customer\) and marketing\.email \(legal basis: the customer's consent\)/);
    expect(consented?.who).toBe('The customer');
    expect(consented?.why).toBe('Given by checkbox, under privacy notice privacy-notice v3.');
    expect(used?.why).toMatch(/^Allowed by the customer's consent to marketing\.email, given on 1 Mar 2026, 10:01:00 UTC \(checkbox\)\.$/);
    expect(shared?.text).toContain('Brightmail Agency GmbH (DE), agreement dpa-2026-014');
    expect(withdrawn?.who).toBe('The customer');
    expect(owed?.text).toContain('Brightmail Agency GmbH (DE) must be told of the withdrawal of consent to marketing.email.');
    expect(html).toMatch(
      /data-notices-owed="1">Still to be told \(GDPR Art\. 19\): Brightmail Agency GmbH, of the withdrawal of consent to marketing\.email, since 1 Mar 2026, 10:05:00 UTC\./,
    );
    expect(refused?.why).toBe('Refused because the customer had withdrawn consent.');
    expect(html).toMatch(/<div class="chain ok" data-chain="intact">/);
    expect(html).toMatch(/<dl class="legend">[\s\S]*data-legend="collected"[\s\S]*data-legend="erased"/);
  });

  it('never puts a personal value, nor its ciphertext, in any form of the report', async () => {
    await cli(['report', OTHER, '--html', 'other.html'], { cwd: files.story.dir });
    const outputs = [
      readFileSync(join(files.story.dir, 'other.html'), 'utf8'),
      (await cli(['report', OTHER], { cwd: files.story.dir })).stdout,
      (await cli(['report', OTHER, '--json'], { cwd: files.story.dir })).stdout,
      (await cli(['report', SUBJECT, '--json'], { cwd: files.story.dir })).stdout,
    ];
    for (const output of outputs) {
      for (const value of [EMAIL, ADDRESS, 'bob@example.com', '1 Oak Road', 'Send me offers', 'please forget']) expect(output).not.toContain(value);
      expect(output).not.toMatch(/gcm1\./);
    }
  });

  it('needs nothing from outside the page: no script, no link, no remote address', async () => {
    await cli(['report', SUBJECT, '--html', 'page.html'], { cwd: files.story.dir });
    const html = readFileSync(join(files.story.dir, 'page.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|url\(|@import|https?:\/\//i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  });

  it('reports a broken chain, stops the timeline before it, and exits 1', async () => {
    const { code, stdout, stderr } = await cli(['report', SUBJECT, '--html', 'broken.html'], { cwd: files.tampered.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/history BROKEN at revision 2: the record's bytes no longer match its hash: it was changed; only the events before it are shown/);
    expect(stderr).toContain(`the chain of subject ${SUBJECT} is broken`);
    const html = readFileSync(join(files.tampered.dir, 'broken.html'), 'utf8');
    expect(html).toContain('data-chain="broken"');
    expect(timelineEntries(html).map((e) => e.kind)).toEqual(['collected', 'consented']);
  });

  it('refuses to write into a folder that does not exist', async () => {
    const { code, stderr } = await cli(['report', SUBJECT, '--html', 'nowhere/report.html'], { cwd: files.story.dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`the folder ${join(files.story.dir, 'nowhere')} does not exist`);
  });
});
