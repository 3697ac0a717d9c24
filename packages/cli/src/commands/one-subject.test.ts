import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POLICY_STREAM, recipientStream, subjectStream } from '@custodian/core';
import { watchReads } from '@custodian/testing';
import type { SqliteEventStore } from '@custodian/sqlite';
import type { CliIo } from '../io';
import { MASTER_KEY, OTHER, storyFile, SUBJECT } from '../test-support/fixture';
import type { Command } from './command';
import { exportCommand } from './export';
import { replay } from './replay';
import { report } from './report';

let story: Awaited<ReturnType<typeof storyFile>>;
let store: SqliteEventStore;
beforeAll(async () => {
  story = await storyFile();
  store = story.open();
});
afterAll(async () => {
  await store.close();
  story.remove();
});

/** Runs a command in-process on a store that fails any read of the log or of a stream the subject's answer has no need of. */
async function onSubjectStreams(command: Command, values: Record<string, string>, positionals: string[], allowed: string[], maxReadAll = 0) {
  let stdout = '';
  const io: CliIo = { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: () => true }, env: { CUSTODIAN_MASTER_KEY: MASTER_KEY }, cwd: story.dir };
  const watched = watchReads(store, allowed, { maxReadAll });
  const code = await command.run({ io, values, positionals, json: true, opened: { store: watched, label: 'story', close: async () => undefined } });
  return { code, out: JSON.parse(stdout) as Record<string, unknown>, read: [...watched.streamsRead].sort() };
}

const streamsOf = (subjectId: string, ...recipients: string[]) => [subjectStream(subjectId), POLICY_STREAM, ...recipients.map(recipientStream)].sort();

describe("the CLI's questions about one subject read that subject's streams only", () => {
  it('replay --at --subject: the subject, the agency it shared with, and one bounded look-up for the moment', async () => {
    const { code, out, read } = await onSubjectStreams(replay, { at: '9', subject: SUBJECT }, [], streamsOf(SUBJECT, 'brightmail-agency'), 1);
    expect(code).toBe(0);
    expect(out).toMatchObject({
      subject: { subjectId: SUBJECT, known: true, consent: { 'marketing.email': { status: 'withdrawn' } } },
      recipients: [{ recipientId: 'brightmail-agency' }],
    });
    expect(read).toEqual([subjectStream(SUBJECT), recipientStream('brightmail-agency')].sort());
  });

  it('replay --subject on another customer reads none of the first one', async () => {
    const { out } = await onSubjectStreams(replay, { at: '2026-03-01T10:30:00Z', subject: OTHER }, [], streamsOf(OTHER));
    expect(out).toMatchObject({ subject: { subjectId: OTHER, known: true }, recipients: [] });
  });

  it('report: the timeline from the subject, the agency and the policy', async () => {
    const { out, read } = await onSubjectStreams(report, {}, [SUBJECT], streamsOf(SUBJECT, 'brightmail-agency'));
    expect(out).toMatchObject({ subjectId: SUBJECT, chain: { ok: true } });
    expect(read).toEqual(streamsOf(SUBJECT, 'brightmail-agency'));
  });

  it('export, with keys: the same streams, and the values opened', async () => {
    const { out, read } = await onSubjectStreams(exportCommand, { keys: story.keys }, [OTHER], streamsOf(OTHER));
    expect(out).toMatchObject({ format: 'custodian.subject-export/1', subjectId: OTHER });
    expect(read).toEqual(streamsOf(OTHER));
  });
});
