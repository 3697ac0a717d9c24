import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '@custodian/core';
import { cli } from '../test-support/capture';
import { actors, OTHER, plant, storyFile, SUBJECT, workspace, type Workspace } from '../test-support/fixture';

let clean: Awaited<ReturnType<typeof storyFile>>;
let planted: Awaited<ReturnType<typeof storyFile>>;
let unrecorded: Workspace;
const ROGUE = '01930000-0000-7000-8000-00000000beef';
const cron: Actor = { id: 'legacy-newsletter-cron', kind: 'service', roles: ['marketing'] };

beforeAll(async () => {
  clean = await storyFile();
  planted = await storyFile();
  const store = planted.open();
  // A cron job wrote a marketing use of the other customer, who never consented, straight into the store.
  await plant(
    store,
    OTHER,
    { type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'newsletter:weekly', basis: { legalBasis: 'consent' } } },
    cron,
    planted.minute(11),
    ROGUE,
  );
  await store.close();

  // A log written around any ledger, so without a recorded policy.
  unrecorded = workspace();
  const bare = unrecorded.open();
  await plant(
    bare,
    SUBJECT,
    {
      type: 'DataCollected',
      data: {
        categories: ['contact.email'],
        source: 'import',
        purposes: ['marketing.email'],
        legalBases: { 'marketing.email': 'consent' },
        notice: { id: 'privacy-notice', version: 'v1' },
        retainUntil: '2030-01-01T00:00:00.000Z',
        values: { 'contact.email': 'gcm1.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB' },
      },
    },
    actors.checkout,
    planted.minute(0),
  );
  await bare.close();
});
afterAll(() => {
  clean.remove();
  planted.remove();
  unrecorded.remove();
});

describe('custodian violations', () => {
  it('says so when every decision had a valid basis, and exits 0', async () => {
    const { code, stdout } = await cli(['violations'], { cwd: clean.dir });
    expect(code).toBe(0);
    expect(stdout).toBe(`No violations in ${clean.db}: every recorded use, access and share had a valid basis.\n`);
    expect(JSON.parse((await cli(['violations', '--json'], { cwd: clean.dir })).stdout)).toEqual({
      ledger: clean.db,
      policy: { recordedInLog: true, file: null },
      count: 0,
      violations: [],
    });
  });

  it('lists a use written around the ledger, judged by the recorded policy, and exits 1', async () => {
    const { code, stdout } = await cli(['violations'], { cwd: planted.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^1 violation in /);
    expect(stdout).toMatch(new RegExp(`2026-03-01T10:11:00\\.000Z +DataUsed +${OTHER} +legacy-newsletter-cron +${ROGUE} +no_consent: the customer had not given consent`));
  });

  it('answers machines in JSON', async () => {
    const { code, stdout } = await cli(['violations', '--json'], { cwd: planted.dir });
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { count: number; violations: { eventId: string; actorId: string; reason: string; position: string }[] };
    expect(result.count).toBe(1);
    expect(result.violations[0]).toMatchObject({ eventId: ROGUE, actorId: 'legacy-newsletter-cron', position: '17' });
  });

  it('needs --policy when the log records none, and says so with exit 2', async () => {
    const { code, stderr } = await cli(['violations', '--db', unrecorded.db], { cwd: unrecorded.dir });
    expect(code).toBe(2);
    expect(stderr).toContain('the log records no policy (no PolicyDefined event), so there is nothing to judge by: pass --policy <file.json>');
  });

  it('judges by the --policy file when the log records none', async () => {
    writeFileSync(
      join(unrecorded.dir, 'policy.json'),
      JSON.stringify({ purposes: { 'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' } } }),
    );
    const store = unrecorded.open();
    await plant(
      store,
      SUBJECT,
      { type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'blast', basis: { legalBasis: 'consent' } } },
      cron,
      new Date(),
    );
    await store.close();
    const { code, stdout } = await cli(['violations', '--policy', 'policy.json', '--json'], { cwd: unrecorded.dir });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ policy: { recordedInLog: false, file: join(unrecorded.dir, 'policy.json') }, violations: [{ reason: 'no_consent' }] });
  });

  it.each([
    ['missing', 'absent.json', /no policy file at .*absent\.json/],
    ['not JSON', 'broken.json', /the policy file .*broken\.json is not JSON/],
    ['not a policy', 'wrong.json', /the policy file .*wrong\.json: policy is invalid: purposes\.marketing\.email\.legalBasis: /],
  ])('refuses a --policy file that is %s with exit 2', async (_what, file, message) => {
    writeFileSync(join(unrecorded.dir, 'broken.json'), '{ purposes: ');
    writeFileSync(
      join(unrecorded.dir, 'wrong.json'),
      JSON.stringify({ purposes: { 'marketing.email': { legalBasis: 'because', categories: ['contact.email'], roles: ['m'], retention: 'P1Y' } } }),
    );
    const { code, stderr } = await cli(['violations', '--policy', file], { cwd: unrecorded.dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("Run 'custodian violations --help' for usage.");
  });
});
