import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { subjectStream } from '@custodian/core';
import { cli } from '../test-support/capture';
import { storyFile, SUBJECT, tamper } from '../test-support/fixture';

let story: Awaited<ReturnType<typeof storyFile>>;
let tampered: Awaited<ReturnType<typeof storyFile>>;
beforeAll(async () => {
  story = await storyFile();
  tampered = await storyFile();
  await tamper(tampered, subjectStream(SUBJECT), 2n);
});
afterAll(() => {
  story.remove();
  tampered.remove();
});

describe('custodian stats', () => {
  it('counts events by type, subjects, recipients, erasures and open items', async () => {
    const { code, stdout, stderr } = await cli(['stats', '--json'], { cwd: story.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({
      ledger: story.db,
      events: 15,
      eventsByType: {
        DataCollected: 2,
        ConsentGranted: 1,
        ConsentWithdrawn: 1,
        DataUsed: 2,
        UseDenied: 1,
        DataShared: 1,
        ErasureRequested: 1,
        DataErased: 1,
        AccessRequestReceived: 1,
        AccessRequestFulfilled: 1,
        RecipientRegistered: 1,
        RecipientVerified: 1,
        PolicyDefined: 1,
      },
      subjects: 2,
      recipients: 1,
      recipientsByStatus: { verified: 1 },
      erasures: 1,
      pendingErasureRequests: 0,
      pendingErasureConfirmations: 1,
      openAccessRequests: 0,
      policiesRecorded: 1,
      unreadable: 0,
      chain: { ok: true, checked: 15, broken: [] },
    });
  });

  it('prints tables for people', async () => {
    const { code, stdout } = await cli(['stats'], { cwd: story.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Ledger .*: 15 events, chain intact\./);
    expect(stdout).toMatch(/DataCollected +2\n/);
    expect(stdout).toMatch(/recipients +1 \(1 verified\)\n/);
    expect(stdout).toMatch(/pending erasure confirmations +1\n/);
    expect(stdout).toMatch(/open access requests +0\n/);
    expect(stdout).toContain('intact: 15 events checked, no link broken');
  });

  it('reports a broken chain and exits 1', async () => {
    const { code, stdout } = await cli(['stats'], { cwd: tampered.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/15 events, chain BROKEN\./);
    expect(stdout).toMatch(new RegExp(`BROKEN: subject-${SUBJECT} at revision 2 \\([0-9a-f-]{36}\\): the record's bytes no longer match its hash`));
  });

  it('shows progress on a terminal', async () => {
    expect((await cli(['stats'], { cwd: story.dir, tty: true, progressDelayMs: 0 })).stderr).toMatch(/Counting \[#+\] 100% 15\/15 events/);
  });
});
