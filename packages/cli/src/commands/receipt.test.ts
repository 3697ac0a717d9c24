import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpointer, createInMemoryPublisher, createPemSigner, formatCheckpoint, generateSignerKey, signNote, verifyReceipt, type RecordedEvent } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import { cli } from '../test-support/capture';
import { storyFile } from '../test-support/fixture';

const ORIGIN = 'retailer.example/ledger';
const signer = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);

let story: Awaited<ReturnType<typeof storyFile>>;
let scratch: string;
let records: RecordedEvent[];
let checkpointFile: string;
const idOf = (type: string) => (records.find((r) => r.type === type) as RecordedEvent).id;

beforeAll(async () => {
  story = await storyFile();
  scratch = mkdtempSync(join(tmpdir(), 'custodian-cli-receipt-'));
  const store = createSqliteEventStore({ path: story.db, readonly: true });
  try {
    records = [];
    for await (const record of store.readAll()) records.push(record);
    const signed = await createCheckpointer({ store, signer, origin: ORIGIN, publisher: createInMemoryPublisher() }).checkpointNow();
    checkpointFile = join(scratch, 'latest.checkpoint');
    writeFileSync(checkpointFile, signed?.note as string);
  } finally {
    await store.close();
  }
});
afterAll(() => {
  story.remove();
  rmSync(scratch, { recursive: true, force: true });
});

const fingerprint = (path: string) => ({ sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), mtimeMs: statSync(path).mtimeMs });

describe('custodian receipt', () => {
  it('prints, with --json, a receipt of her withdrawal that verifies with the company key alone, and writes nothing', async () => {
    const before = fingerprint(story.db);
    const { code, stdout, stderr } = await cli(['receipt', idOf('ConsentWithdrawn'), '--checkpoint', checkpointFile, '--json'], { cwd: story.dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const receipt = JSON.parse(stdout) as unknown;
    expect(receipt).toMatchObject({
      eventType: 'ConsentWithdrawn',
      purposes: ['marketing.email'],
      collectionMethod: 'email',
      proof: expect.stringContaining('c2sp.org/tlog-proof@v1'),
    });
    expect(verifyReceipt(receipt, signer.verifierKey)).toMatchObject({ ok: true, proven: true, checkpoint: { origin: ORIGIN, size: records.length } });
    expect(fingerprint(story.db)).toEqual(before);
  });

  it('says in words what the receipt holds and whether a checkpoint covers it', async () => {
    const covered = await cli(['receipt', idOf('ConsentGranted'), '--checkpoint', checkpointFile], { cwd: story.dir });
    expect(covered.code).toBe(0);
    expect(covered.stdout).toMatch(
      /^Receipt for ConsentGranted [0-9a-f-]{36} of subject cust-4f9a2c, at 2026-03-01T10:01:00.000Z\n {2}purposes: +marketing\.email\n {2}notice: +privacy-notice v3\n {2}method: +checkbox\n/,
    );
    expect(covered.stdout).toContain(`Included in checkpoint ${ORIGIN} of size ${records.length}, as leaf `);
    const bare = await cli(['receipt', idOf('ConsentGranted')], { cwd: story.dir });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('No checkpoint given, so no inclusion proof');
  });

  it('exits 1 when the ledger no longer matches the checkpoint given', async () => {
    const forged = await signNote(formatCheckpoint({ origin: ORIGIN, size: 3, root: Buffer.alloc(32, 7) }), [signer]);
    const file = join(scratch, 'forged.checkpoint');
    writeFileSync(file, forged);
    const { code, stdout, stderr } = await cli(['receipt', idOf('ConsentGranted'), '--checkpoint', file, '--json'], { cwd: story.dir });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/the log no longer matches checkpoint retailer\.example\/ledger at size 3: root_mismatch/);
  });

  it('refuses, with exit 2, an event it holds no receipt for, an unknown event, and a checkpoint file that is not one', async () => {
    const use = await cli(['receipt', idOf('DataUsed')], { cwd: story.dir });
    expect(use.code).toBe(2);
    expect(use.stderr).toMatch(/is a DataUsed: receipts are issued for consents/);
    const unknown = await cli(['receipt', '0190f3a2-0000-7000-8000-000000000000'], { cwd: story.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/the log holds no event 0190f3a2-0000-7000-8000-000000000000/);
    const personal = await cli(['receipt', 'ann@example.com'], { cwd: story.dir });
    expect(personal.code).toBe(2);
    expect(personal.stderr).toMatch(/<eventId> must be an event id/);
    expect(personal.stderr).not.toContain('ann@example.com');
    const file = join(scratch, 'garbage.checkpoint');
    writeFileSync(file, 'not a checkpoint\n');
    const garbage = await cli(['receipt', idOf('ConsentGranted'), '--checkpoint', file], { cwd: story.dir });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/--checkpoint: malformed signed note/);
    const missing = await cli(['receipt', idOf('ConsentGranted'), '--checkpoint', join(scratch, 'nope')], { cwd: story.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no checkpoint file at/);
  });
});
