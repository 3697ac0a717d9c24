import { describe, expect, it } from '@jest/globals';
import { cli } from '../test-support/capture';
import { SUBJECT, OTHER } from '../test-support/fixture';
import { useStoryFiles } from '../test-support/story-files';

const files = useStoryFiles();
const rowsOf = (stdout: string) => stdout.split('\n').filter((line) => /^ {2}2026-03-01T/.test(line));

describe('custodian history --actor', () => {
  it('lists everything the actor did across subjects, in log order, with what it was and on what basis', async () => {
    const { code, stdout, stderr } = await cli(['history', '--actor', 'campaign-service'], { cwd: files.story.dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Everything actor campaign-service did in ${files.story.db}: 3 events\\.`));
    const rows = rowsOf(stdout);
    expect(rows.map((row) => row.split(/ {2,}/).slice(1, 4))).toEqual([
      ['2026-03-01T10:02:00.000Z', SUBJECT, 'DataUsed'],
      ['2026-03-01T10:04:00.000Z', SUBJECT, 'DataShared'],
      ['2026-03-01T10:06:00.000Z', SUBJECT, 'UseDenied'],
    ]);
    expect(rows[0]).toMatch(
      /Used contact\.email for offers by email \(marketing\.email\)\. Activity: campaign:spring-sale\. Allowed on the legal basis of the customer's consent\. +consent \(consent [0-9a-f-]{36}\)/,
    );
    expect(rows[1]).toContain('Shared contact.email with Brightmail Agency GmbH (DE) for offers by email (marketing.email).');
    expect(rows[2]).toMatch(
      /Tried to use contact\.email .*: refused\. Activity: campaign:summer-sale\. Refused because the customer had withdrawn consent\. +refused: consent_withdrawn/,
    );
  });

  it('keeps to the range, from included and to left out, and says so', async () => {
    const { code, stdout } = await cli(['history', '--actor', 'checkout-service', '--from', '2026-03-01T10:07:00Z', '--to', '2026-03-01T10:08:00Z'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Everything actor checkout-service did in .* from 2026-03-01T10:07:00\.000Z until before 2026-03-01T10:08:00\.000Z: 2 events\./);
    expect(rowsOf(stdout).map((row) => row.split(/ {2,}/).slice(2, 4))).toEqual([
      [OTHER, 'DataCollected'],
      [OTHER, 'DataUsed'],
    ]);
    expect(rowsOf((await cli(['history', '--actor', 'checkout-service', '--to', '2026-03-01T10:07:00Z'], { cwd: files.story.dir })).stdout)).toHaveLength(1);
  });

  it('lists what an administrator did on recipient streams too', async () => {
    const { stdout } = await cli(['history', '--actor', 'dpo@retailer', '--json'], { cwd: files.story.dir });
    const out = JSON.parse(stdout) as { actor: string; count: number; entries: { eventType: string; what: string; position: string }[] };
    expect(out.actor).toBe('dpo@retailer');
    expect(out.entries.map((entry) => entry.eventType)).toEqual(['RecipientRegistered', 'RecipientVerified', 'DataErased']);
    expect(out.entries[0]?.what).toBe('Registered recipient brightmail-agency: Brightmail Agency GmbH (DE).');
    expect(out.entries[0]?.position).toMatch(/^\d+$/);
  });

  it('says so when the actor did nothing', async () => {
    const { code, stdout } = await cli(['history', '--actor', 'nobody'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stdout).toContain(': 0 events.\n\n  nothing recorded\n');
  });
});

describe('custodian history --recipient', () => {
  it('lists what the recipient received and was told', async () => {
    const { code, stdout } = await cli(['history', '--recipient', 'brightmail-agency'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Everything recipient brightmail-agency received and was told in .*: 4 events\./);
    const rows = rowsOf(stdout);
    expect(rows.map((row) => / (Recipient\w+|Data\w+) /.exec(row)?.[1])).toEqual(['RecipientRegistered', 'RecipientVerified', 'DataShared', 'DataErased']);
    expect(rows[2]).toMatch(new RegExp(`${SUBJECT} +campaign-service \\(a service, role marketing\\) +DataShared`));
    expect(rows[3]).toContain('Erasure notices sent to Brightmail Agency GmbH (DE).');
  });

  it('answers machines in JSON', async () => {
    const { stdout } = await cli(['history', '--recipient', 'brightmail-agency', '--from', '2026-03-01T10:04:00Z', '--json'], { cwd: files.story.dir });
    expect(JSON.parse(stdout)).toMatchObject({
      recipient: 'brightmail-agency',
      from: '2026-03-01T10:04:00.000Z',
      to: null,
      count: 2,
      entries: [
        { eventType: 'DataShared', subjectId: SUBJECT, recipientIds: ['brightmail-agency'], categories: ['contact.email'], basis: { legalBasis: 'consent' } },
        { eventType: 'DataErased', subjectId: SUBJECT, recipientIds: ['brightmail-agency'] },
      ],
    });
  });
});

describe('custodian history usage errors', () => {
  it.each([
    [[], 'history needs one of --actor <id> or --recipient <id>'],
    [['--actor', 'a', '--recipient', 'b'], 'history needs one of --actor <id> or --recipient <id>'],
    [['--actor='], '--actor needs a value'],
    [['--actor', 'a', '--from', 'last week'], "--from takes an ISO 8601 time (like 2026-03-01T10:00:00Z or 2026-03-01), not 'last week'"],
    [['--actor', 'a', '--to', '2026-13-01'], "--to takes an ISO 8601 time (like 2026-03-01T10:00:00Z or 2026-03-01), not '2026-13-01'"],
    [['--actor', 'a', '--from', '2026-03-02', '--to', '2026-03-01'], '--to must be after --from'],
    [['--recipient', 'not an id!'], '--recipient: may hold only letters, digits and . _ : -'],
    [['--subject', SUBJECT], "unknown option '--subject'"],
  ])('refuses %j with exit 2', async (args, message) => {
    const { code, stdout, stderr } = await cli(['history', ...args], { cwd: files.story.dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`custodian: ${message}\nRun 'custodian history --help' for usage.\n`);
  });
});
