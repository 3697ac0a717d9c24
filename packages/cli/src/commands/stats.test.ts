import { describe, expect, it } from '@jest/globals';
import { cli } from '../test-support/capture';
import { SUBJECT } from '../test-support/fixture';
import { useStoryFiles } from '../test-support/story-files';

const files = useStoryFiles();

describe('custodian stats', () => {
  it('counts events by type, subjects, recipients, erasures and open items', async () => {
    const { code, stdout, stderr } = await cli(['stats', '--json'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({
      ledger: files.story.db,
      events: 16,
      eventsByType: {
        DataCollected: 2,
        ConsentGranted: 1,
        ConsentWithdrawn: 1,
        DataUsed: 2,
        UseDenied: 1,
        DataShared: 1,
        RecipientNoticeOwed: 1,
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
      pendingRecipientNotices: 1,
      openAccessRequests: 0,
      policiesRecorded: 1,
      unreadable: 0,
      chain: { ok: true, checked: 16, broken: [] },
    });
  });

  it('prints tables for people', async () => {
    const { code, stdout } = await cli(['stats'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Ledger .*: 16 events, chain intact\./);
    expect(stdout).toMatch(/DataCollected +2\n/);
    expect(stdout).toMatch(/recipients +1 \(1 verified\)\n/);
    expect(stdout).toMatch(/pending erasure confirmations +1\n/);
    expect(stdout).toMatch(/notices owed to recipients +1\n/);
    expect(stdout).toMatch(/open access requests +0\n/);
    expect(stdout).toContain('intact: 16 events checked, no link broken');
  });

  it('reports a broken chain and exits 1', async () => {
    const { code, stdout } = await cli(['stats'], { cwd: files.tampered.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/16 events, chain BROKEN\./);
    expect(stdout).toMatch(new RegExp(`BROKEN: subject-${SUBJECT} at revision 2 \\([0-9a-f-]{36}\\): the record's bytes no longer match its hash`));
  });

  it('shows progress on a terminal', async () => {
    expect((await cli(['stats'], { cwd: files.story.dir, tty: true, progressDelayMs: 0 })).stderr).toMatch(/Counting \[#+\] 100% 16\/16 events/);
  });
});
