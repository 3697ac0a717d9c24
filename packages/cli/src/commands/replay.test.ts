import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cli } from '../test-support/capture';
import { EMAIL, OTHER, storyFile, SUBJECT } from '../test-support/fixture';

let story: Awaited<ReturnType<typeof storyFile>>;
beforeAll(async () => {
  story = await storyFile();
});
afterAll(() => story.remove());

// The story's log: 1 policy, 2 collected, 3 consented, 4 used, 5-6 agency registered and
// verified, 7 shared, 8 withdrawn, 9 the agency's notice of it owed, 10 refused, 11-12 the
// other customer, 13-14 access request, 15 erasure asked, 16 erased. Event n was recorded at minute n-2 or so (see tellStory).
describe('custodian replay --at', () => {
  it("prints each subject's consent and the recipients as they stood at a position", async () => {
    const { code, stdout, stderr } = await cli(['replay', '--at', '7'], { cwd: story.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^The ledger at position 7 \(recorded by 2026-03-01T10:04:00\.000Z\): 7 events, 1 subject, 1 recipient\./);
    expect(stdout).toMatch(new RegExp(`${SUBJECT} +marketing\\.email +granted +2026-03-01T10:01:00\\.000Z +privacy-notice v3 +checkbox`));
    expect(stdout).toMatch(/brightmail-agency +Brightmail Agency GmbH +verified +DE +dpa-2026-014 +1 +1/);
  });

  it('shows progress against the events up to the position, not the whole log; up to a time, a count', async () => {
    // The story holds 16 events: a bar out of 16 for a replay to 7 would end at 43%.
    const { stderr } = await cli(['replay', '--at', '7'], { cwd: story.dir, tty: true, progressDelayMs: 0 });
    expect(stderr).toMatch(/Replaying \[[#-]+\] +\d+% \d\/7 events/);
    expect(stderr).not.toContain('/16 events');
    const byTime = await cli(['replay', '--at', '2026-03-01T10:04:30Z'], { cwd: story.dir, tty: true, progressDelayMs: 0 });
    expect(byTime.stderr).toMatch(/Replaying \d+ events/);
    expect(byTime.stderr).not.toContain('/16 events');
  });

  it('reads a time as what had been recorded by then', async () => {
    const before = await cli(['replay', '--at', '2026-03-01T10:04:30Z'], { cwd: story.dir });
    expect(before.stdout).toMatch(new RegExp(`${SUBJECT} +marketing\\.email +granted`));
    const after = await cli(['replay', '--at', '2026-03-01T10:07:00'], { cwd: story.dir });
    expect(after.stdout).toMatch(/^The ledger at 2026-03-01T10:07:00\.000Z: 12 events, 2 subjects, 1 recipient\./);
    expect(after.stdout).toMatch(new RegExp(`${SUBJECT} +marketing\\.email +withdrawn +2026-03-01T10:05:00\\.000Z`));
    expect(after.stdout).toMatch(new RegExp(`${OTHER} +\\(no consent recorded\\)`));
  });

  it("shows one subject's consent, history and inventory with --subject", async () => {
    const { code, stdout } = await cli(['replay', '--at', '10', '--subject', SUBJECT], { cwd: story.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Subject ${SUBJECT} at position 10`));
    expect(stdout).toMatch(/Consent\n.*\n  marketing\.email +withdrawn/);
    expect(stdout).toMatch(/campaign-service +used +contact\.email +marketing\.email +campaign:spring-sale +consent \(/);
    expect(stdout).toMatch(/campaign-service +shared +contact\.email +marketing\.email +-> brightmail-agency/);
    expect(stdout).toMatch(/campaign-service +denied +contact\.email +marketing\.email +campaign:summer-sale +refused: consent_withdrawn/);
    // The address is held for the purposes collected for that cover it: order.fulfilment, not marketing.email.
    expect(stdout).toMatch(/contact\.address +checkout-form +order\.fulfilment +2026-03-01T10:00:00\.000Z/);
    expect(stdout).toMatch(/brightmail-agency +contact\.email +marketing\.email +2026-03-01T10:04:00\.000Z +not_requested/);
    expect(stdout).toContain('erased: no');
    expect(stdout).toMatch(/notices owed: brightmail-agency \(the withdrawal of consent to marketing\.email, since 2026-03-01T10:05:00\.000Z\)/);
    expect(stdout).not.toContain(EMAIL);
  });

  it('says when a subject was not known yet', async () => {
    const { code, stdout } = await cli(['replay', '--at', '3', '--subject', OTHER], { cwd: story.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Subject ${OTHER} at position 3 .*: nothing had been recorded about them yet\\.`));
  });

  it('answers machines in JSON', async () => {
    const all = JSON.parse((await cli(['replay', '--at', '16', '--json'], { cwd: story.dir })).stdout) as Record<string, unknown>;
    expect(all).toMatchObject({
      at: { position: '16' },
      moment: '2026-03-01T10:10:00.000Z',
      events: 16,
      subjects: [
        { subjectId: SUBJECT, consent: { 'marketing.email': { status: 'withdrawn' } } },
        { subjectId: OTHER, consent: {} },
      ],
      recipients: [{ recipientId: 'brightmail-agency', status: 'verified', erasureNotices: [{ subjectId: SUBJECT, confirmed: false }] }],
    });
    const one = JSON.parse((await cli(['replay', '--at', '2026-03-01T10:10:00Z', '--subject', SUBJECT, '--json'], { cwd: story.dir })).stdout) as {
      subject: { history: { kind: string }[]; inventory: { erased: boolean; pendingErasureConfirmations: string[] } };
    };
    expect(one.subject.history.map((h) => h.kind)).toEqual(['used', 'shared', 'denied']);
    expect(one.subject.inventory).toMatchObject({ erased: true, pendingErasureConfirmations: ['brightmail-agency'] });
  });

  it.each(['yesterday', '2026-13-45', '-3', '12abc'])('refuses --at %s with exit 2', async (at) => {
    const { code, stderr } = await cli(['replay', `--at=${at}`], { cwd: story.dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`--at takes a global position (like 42) or an ISO 8601 time (like 2026-03-01T10:00:00Z), not '${at}'`);
  });
});
