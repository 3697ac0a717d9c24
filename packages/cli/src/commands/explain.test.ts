import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { events, type CustodianEvent } from '@custodian/core';
import { cli } from '../test-support/capture';
import { OTHER, plant, storyFile, SUBJECT, workspace, type Workspace } from '../test-support/fixture';

type StoryFile = Awaited<ReturnType<typeof storyFile>>;
let story: StoryFile;
let unrecorded: Workspace;
const stored: CustodianEvent[] = [];
const ROGUE = '01930000-0000-7000-8000-00000000beef';
const cron = { id: 'legacy-newsletter-cron', kind: 'service' as const, roles: ['marketing'] };

beforeAll(async () => {
  story = await storyFile();
  const store = story.open();
  // A cron job wrote a marketing use of the other customer, who never consented, straight into the store.
  await plant(
    store,
    OTHER,
    { type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'newsletter:weekly', basis: { legalBasis: 'consent' } } },
    cron,
    story.minute(11),
    ROGUE,
  );
  for await (const record of store.readAll()) stored.push(events.decode(record.data));
  await store.close();
  unrecorded = workspace();
  const bare = unrecorded.open();
  await plant(
    bare,
    SUBJECT,
    { type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'x', basis: { legalBasis: 'consent' } } },
    cron,
    story.minute(0),
    ROGUE,
  );
  await bare.close();
});
afterAll(() => {
  story.remove();
  unrecorded.remove();
});

const idOf = (type: string, subjectId = SUBJECT) => stored.find((event) => event.type === type && event.subjectId === subjectId)?.id ?? '';

describe('custodian explain', () => {
  it('tells why a use was allowed, in words, with the evidence, and exits 0', async () => {
    const used = idOf('DataUsed');
    const { code, stdout, stderr } = await cli(['explain', used], { cwd: story.dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const consent = idOf('ConsentGranted');
    expect(stdout).toContain(`DataUsed ${used} of subject ${SUBJECT}, 1 Mar 2026, 10:02:00 UTC\n`);
    expect(stdout).toContain('  who:       campaign-service (a service, role marketing)\n');
    expect(stdout).toContain('  what:      Used contact.email for offers by email (marketing.email). Activity: campaign:spring-sale.\n');
    expect(stdout).toContain(`  recorded:  allowed, on the legal basis of the customer's consent (consent event ${consent})\n`);
    expect(stdout).toContain(`  replayed:  allowed, on the legal basis of the customer's consent (consent event ${consent})\n`);
    expect(stdout).toContain('  Replayed against the history before it, the rules give the decision that was recorded.\n');
    expect(stdout).toContain(
      "  purpose:   marketing.email (offers by email): legal basis the customer's consent; covers contact.email; roles allowed marketing; sharing allowed; kept P2Y.\n",
    );
    expect(stdout).toContain('  actor:     holds the role marketing; allowed for this purpose: marketing.\n');
    const evidence = stdout.slice(stdout.indexOf('Evidence, oldest first:')).split('\n').slice(2, -1);
    expect(evidence.map((line) => line.split(/ {2,}/)[2])).toEqual(['PolicyDefined', 'DataCollected', 'ConsentGranted']);
    expect(evidence[2]).toContain('The customer consented to offers by email (marketing.email).');
  });

  it('tells why a use was refused, and a share with the recipient it went to', async () => {
    const denied = await cli(['explain', idOf('UseDenied')], { cwd: story.dir });
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('  recorded:  refused, because the customer had withdrawn consent (consent_withdrawn: ');
    expect(denied.stdout).toMatch(/ConsentWithdrawn +The customer withdrew consent to offers by email/);
    const shared = await cli(['explain', idOf('DataShared')], { cwd: story.dir });
    expect(shared.stdout).toContain('  what:      Shared contact.email with Brightmail Agency GmbH (DE) for offers by email (marketing.email).\n');
    expect(shared.stdout).toMatch(/RecipientRegistered +Registered recipient brightmail-agency: Brightmail Agency GmbH \(DE\)\./);
    expect(shared.stdout).toMatch(/RecipientVerified +Verified recipient brightmail-agency\./);
  });

  it('says when the record is not what the rules give, and exits 1', async () => {
    const { code, stdout } = await cli(['explain', ROGUE], { cwd: story.dir });
    expect(code).toBe(1);
    expect(stdout).toContain('  who:       legacy-newsletter-cron (a service, role marketing)\n');
    expect(stdout).toContain("  recorded:  allowed, on the legal basis of the customer's consent\n");
    expect(stdout).toContain('  replayed:  refused, because the customer had not given consent (no_consent: ');
    expect(stdout).toContain('the rules give another decision than the one recorded');
  });

  it('answers machines with the explanation and its words', async () => {
    const { code, stdout } = await cli(['explain', ROGUE, '--json'], { cwd: story.dir });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      ledger: story.db,
      policy: { recordedInLog: true, file: null },
      explanation: { event: { id: ROGUE, type: 'DataUsed' }, decision: 'allowed', consistent: false, replayed: { allowed: false, reason: 'no_consent' } },
      words: { who: 'legacy-newsletter-cron (a service, role marketing)', evidence: expect.any(Array) },
    });
  });

  it.each([
    [['not-an-id'], '<eventId> must be an event id (a UUID)'],
    [['01930000-0000-7000-8000-0000000000ff'], 'no event 01930000-0000-7000-8000-0000000000ff in the store'],
    [[], 'explain needs <eventId>: the recorded decision to explain'],
  ])('refuses %j with exit 2', async (args, message) => {
    const { code, stdout, stderr } = await cli(['explain', ...args], { cwd: story.dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`custodian: ${message}\nRun 'custodian explain --help' for usage.\n`);
  });

  it('refuses an event that is no decision, and a log that records no policy, with exit 2', async () => {
    const collected = idOf('DataCollected');
    expect((await cli(['explain', collected], { cwd: story.dir })).stderr).toBe(
      `custodian: event ${collected} is a DataCollected, not a use, access, share or refusal\nRun 'custodian explain --help' for usage.\n`,
    );
    const bare = await cli(['explain', ROGUE], { cwd: unrecorded.dir });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('the log records no policy (no PolicyDefined event)');
  });
});
