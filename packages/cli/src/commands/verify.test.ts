import { describe, expect, it } from '@jest/globals';
import { subjectStream } from '@custodian/core';
import { cli } from '../test-support/capture';
import { storyFile, SUBJECT } from '../test-support/fixture';
import { useStoryFiles } from '../test-support/story-files';

const files = useStoryFiles();

describe('custodian verify', () => {
  it('says the chain is intact and exits 0', async () => {
    const { code, stdout, stderr } = await cli(['verify'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      `Chain intact: 16 events checked in ${files.story.db}, no link broken.\nNot checked: whether the latest events of a stream, or whole streams, were removed. Per-stream chains cannot show that; only a signed checkpoint can (pass --checkpoint <file> --public-key <key>).\n`,
    );
  });

  it('answers machines in JSON', async () => {
    const { code, stdout } = await cli(['verify', '--json'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ ledger: files.story.db, ok: true, checked: 16, broken: [], positionGaps: [], tailUnverified: true });
  });

  it('names the first broken link and exits 1', async () => {
    const { code, stdout } = await cli(['verify'], { cwd: files.tampered.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Chain BROKEN: 16 events checked in .*; 1 stream with a broken link\./);
    expect(stdout).toMatch(new RegExp(`subject-${SUBJECT} +2 +\\d+ +[0-9a-f-]{36} +hash_mismatch: the record's bytes no longer match its hash: it was changed`));
  });

  it('gives the broken link to machines with positions as strings', async () => {
    const { code, stdout } = await cli(['verify', '--json'], { cwd: files.tampered.dir });
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { ok: boolean; broken: { stream: string; revision: string; position: string; reason: string }[] };
    expect(result.ok).toBe(false);
    expect(result.broken).toEqual([expect.objectContaining({ stream: subjectStream(SUBJECT), revision: '2', position: expect.stringMatching(/^\d+$/), reason: 'hash_mismatch' })]);
  });
});

describe('custodian verify on a file whose stream was copied with SQL', () => {
  const copies: [string, string][] = [
    // The unique index on ids refuses a copy under the same ids, so the attacker drops it first.
    [
      'under the same ids, the id index dropped',
      `DROP INDEX events_id; INSERT INTO events (stream, revision, id, type, data) SELECT 'subject-eve', revision, id, type, data FROM events WHERE stream = '${subjectStream(SUBJECT)}' ORDER BY revision`,
    ],
    [
      'under fresh ids',
      `INSERT INTO events (stream, revision, id, type, data) SELECT 'subject-eve', revision, lower(hex(randomblob(16))), type, data FROM events WHERE stream = '${subjectStream(SUBJECT)}' ORDER BY revision`,
    ],
  ];
  for (const [how, sql] of copies) {
    it(`names the copy and exits 1 (${how}, triggers untouched)`, async () => {
      const file = await storyFile();
      try {
        const store = file.open();
        try {
          store.database.exec(sql);
        } finally {
          await store.close();
        }
        const { code, stdout } = await cli(['verify', '--json'], { cwd: file.dir });
        expect(code).toBe(1);
        const result = JSON.parse(stdout) as { ok: boolean; broken: { stream: string; revision: string; reason: string }[] };
        expect(result.ok).toBe(false);
        expect(result.broken).toEqual([expect.objectContaining({ stream: 'subject-eve', revision: '0', reason: 'stream_mismatch' })]);
        const text = await cli(['verify'], { cwd: file.dir });
        expect(text.code).toBe(1);
        expect(text.stdout).toMatch(/subject-eve +0 +\d+ +\S+ +stream_mismatch: the record names another stream/);
        // Nor is the copy reported on as the history of another subject.
        const report = await cli(['report', 'eve'], { cwd: file.dir });
        expect(report.code).toBe(1);
        expect(report.stderr).toMatch(/the chain of subject eve is broken/);
      } finally {
        file.remove();
      }
    });
  }
});

describe('the progress bar', () => {
  it('is drawn on a terminal once a replay takes more than a moment, then cleared', async () => {
    const { stdout, stderr } = await cli(['verify'], { cwd: files.story.dir, tty: true, progressDelayMs: 0 });
    expect(stderr).toMatch(/^\r\x1b\[2KVerifying \[#{24}\] 100% 16\/16 events \d+\.\ds\r\x1b\[2K$/);
    expect(stdout).toContain('Chain intact');
  });

  it('is never drawn when stderr is not a terminal, nor with --json', async () => {
    expect((await cli(['verify'], { cwd: files.story.dir, tty: false, progressDelayMs: 0 })).stderr).toBe('');
    expect((await cli(['verify', '--json'], { cwd: files.story.dir, tty: true, progressDelayMs: 0 })).stderr).toBe('');
  });

  it('stays away from replays shorter than a moment', async () => {
    expect((await cli(['verify'], { cwd: files.story.dir, tty: true })).stderr).toBe('');
  });
});
