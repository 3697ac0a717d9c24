import { describe, expect, it } from '@jest/globals';
import { subjectStream } from '@custodian/core';
import { cli } from '../test-support/capture';
import { SUBJECT } from '../test-support/fixture';
import { useStoryFiles } from '../test-support/story-files';

const files = useStoryFiles();

describe('custodian verify', () => {
  it('says the chain is intact and exits 0', async () => {
    const { code, stdout, stderr } = await cli(['verify'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(`Chain intact: 15 events checked in ${files.story.db}, no link broken.\n`);
  });

  it('answers machines in JSON', async () => {
    const { code, stdout } = await cli(['verify', '--json'], { cwd: files.story.dir });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ ledger: files.story.db, ok: true, checked: 15, broken: [] });
  });

  it('names the first broken link and exits 1', async () => {
    const { code, stdout } = await cli(['verify'], { cwd: files.tampered.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Chain BROKEN: 15 events checked in .*; 1 stream with a broken link\./);
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

describe('the progress bar', () => {
  it('is drawn on a terminal once a replay takes more than a moment, then cleared', async () => {
    const { stdout, stderr } = await cli(['verify'], { cwd: files.story.dir, tty: true, progressDelayMs: 0 });
    expect(stderr).toMatch(/^\r\x1b\[2KVerifying \[#{24}\] 100% 15\/15 events \d+\.\ds\r\x1b\[2K$/);
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
