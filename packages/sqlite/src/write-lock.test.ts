import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '@custodian/core';
import { buildPackage, startChild, type LineChild } from '@custodian/testing';
import { createSqliteEventStore } from './index';

const APPENDS = 300;
const STREAM = 'subject-raced';
const dir = mkdtempSync(join(tmpdir(), 'custodian-sqlite-write-lock-'));
const writers: LineChild[] = [];

beforeAll(() => buildPackage(join(__dirname, '..')), 120_000);
afterAll(() => {
  for (const writer of writers) writer.kill();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The check of the expected revision and the insert must share one write lock: taken
 * only at the insert (a DEFERRED transaction), another process commits between the check
 * and the insert, and the append fails with a raw SQLITE_BUSY instead of a conflict.
 */
it('lets two writer processes race expected revisions on one stream: each append lands or is a conflict, and every revision is kept once, chained', async () => {
  const path = join(dir, 'race.db');
  // Created here first, so the writers race their appends rather than the schema.
  await createSqliteEventStore({ path }).close();
  for (let i = 0; i < 2; i++) writers.push(startChild(join(__dirname, 'test-support', 'race-writer-child.js'), [path, STREAM, String(APPENDS)]));
  await Promise.all(writers.map((writer) => writer.next('ready')));
  for (const writer of writers) writer.send('go');
  await Promise.all(writers.map((writer) => writer.next('done', 120_000)));
  expect(await Promise.all(writers.map((writer) => writer.finish()))).toEqual([0, 0]);

  const outcomes = writers.flatMap((writer) => writer.lines.filter((line) => /^(ok|conflict|error) ?/.test(line)));
  expect(outcomes.filter((line) => line.startsWith('error'))).toEqual([]);
  expect(outcomes).toHaveLength(2 * APPENDS);
  const landed = outcomes.filter((line) => line.startsWith('ok')).map((line) => line.split(' '));
  // The writers did race: some appends lost to the other writer's.
  expect(landed.length).toBeLessThan(2 * APPENDS);

  const store = createSqliteEventStore({ path });
  try {
    const stored: { revision: bigint; id: string }[] = [];
    for await (const record of store.readStream(STREAM)) stored.push({ revision: record.revision, id: record.id });
    expect(stored.map((r) => r.revision)).toEqual(stored.map((_, i) => BigInt(i)));
    expect(stored.map((r) => `${r.revision} ${r.id}`).sort()).toEqual(landed.map(([, revision, id]) => `${revision} ${id}`).sort());
    const chain = await verifyChain(store.readAll(), { positionsGapFreeFrom: store.positionsGapFreeFrom });
    expect(chain.broken).toEqual([]);
    expect(chain.checked).toBe(stored.length);
  } finally {
    await store.close();
  }
}, 180_000);
