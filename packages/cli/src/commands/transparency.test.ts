import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLedger, leafDataOfRecord, leafHash, subjectStream, verifyTlogProof } from '@custodian/core';
import { rawRecords } from '@custodian/sqlite/testing';
import { cli } from '../test-support/capture';
import { actors, OTHER, policy, storyFile, SUBJECT } from '../test-support/fixture';
import { sqliteDriver } from '../test-support/sqlite-file';

const Database = sqliteDriver();
const ORIGIN = 'retailer.example/ledger';
const fingerprint = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

type Story = Awaited<ReturnType<typeof storyFile>>;
let story: Story;
let vkey: string;
const file = (name: string) => join(story.dir, name);
const run = (argv: readonly string[]) => cli(argv, { cwd: story.dir });

/** Runs a command whose output is a file to keep, and keeps it. */
async function save(argv: readonly string[], name: string): Promise<string> {
  const { code, stdout, stderr } = await run(argv);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  writeFileSync(file(name), stdout);
  return stdout;
}

/** SQL on the ledger file as the company could run it: its triggers dropped first. */
function rewrite(sql: (db: InstanceType<typeof Database>) => void): void {
  const db = new Database(story.db);
  db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
  sql(db);
  db.close();
}

/** The company's service goes on recording: new recipients are registered. */
async function moreEvents(count = 1): Promise<void> {
  const store = story.open();
  try {
    const ledger = createLedger({ store, keys: story.fileKeys(), policy });
    for (let i = 1; i <= count; i++)
      await ledger.registerRecipient({ recipientId: `parcel-co-${i}`, actor: actors.dpo, name: `Parcel Co ${i}`, agreement: 'dpa-2026-020', country: 'DE' });
  } finally {
    await store.close();
  }
}

const positionsOf = (stream: string): number[] => {
  const db = new Database(story.db, { readonly: true });
  const rows = db.prepare<[string], { position: number }>('SELECT position FROM events WHERE stream = ? ORDER BY position').all(stream);
  db.close();
  return rows.map((r) => r.position);
};

beforeEach(async () => {
  story = await storyFile();
  const made = await run(['keygen', '--origin', ORIGIN, '--out', 'key.pem', '--json']);
  expect(made.code).toBe(0);
  vkey = (JSON.parse(made.stdout) as { verifierKey: string }).verifierKey;
  writeFileSync(file('ledger.vkey'), `${vkey}\n`);
  await save(['checkpoint', '--key', 'key.pem', '--origin', ORIGIN], 'monday.checkpoint');
});
afterEach(() => story.remove());

describe('custodian keygen', () => {
  it('writes a PKCS#8 PEM key readable by its owner alone, prints the verifier key, and never overwrites one', async () => {
    expect(readFileSync(file('key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(file('key.pem')).mode & 0o777).toBe(0o600);
    expect(vkey).toMatch(new RegExp(`^${ORIGIN}\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]{44}$`));
    const before = readFileSync(file('key.pem'), 'utf8');
    const again = await run(['keygen', '--origin', ORIGIN, '--out', 'key.pem']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; keygen never overwrites a key/);
    expect(readFileSync(file('key.pem'), 'utf8')).toBe(before);
    const plain = await run(['keygen', '--origin', ORIGIN, '--out', 'other.pem']);
    expect(plain.stdout).toMatch(new RegExp(`Publish its verifier key:\\n${ORIGIN.replace('.', '\\.')}\\+[0-9a-f]{8}\\+`));
  });
});

describe('the auditor checks the ledger against what was handed out', () => {
  it('verifies the ledger against its checkpoint, saying what that proves and what it does not', async () => {
    const { code, stdout } = await run(['verify', '--checkpoint', 'monday.checkpoint', '--public-key', 'ledger.vkey']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Chain intact: 16 events checked/);
    expect(stdout).toMatch(/Checkpoint matches: The log's first 16 events hash to the root signed in the checkpoint of retailer\.example\/ledger/);
    expect(stdout).not.toMatch(/Not checked/);
    const json = JSON.parse((await run(['verify', '--checkpoint', 'monday.checkpoint', '--public-key', vkey, '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ok: true, tailUnverified: false, checkpoint: { origin: ORIGIN, size: 16, matches: true } });
  });

  it("proves the customer's withdrawal is in the checkpointed log, with a proof anyone can check", async () => {
    const store = story.open();
    const withdrawal = rawRecords(store).find((r) => r.stream === subjectStream(SUBJECT) && JSON.parse(Buffer.from(r.bytes).toString()).type === 'ConsentWithdrawn')!;
    await store.close();
    const eventId = (JSON.parse(Buffer.from(withdrawal.bytes).toString()) as { id: string }).id;
    const proof = await save(['prove', eventId, '--checkpoint', 'monday.checkpoint', '--public-key', 'ledger.vkey'], 'withdrawal.tlog-proof');
    expect(proof).toMatch(/^c2sp\.org\/tlog-proof@v1\nindex \d+\n/);
    expect(verifyTlogProof(proof, leafHash(leafDataOfRecord(withdrawal.bytes)), vkey)).toMatchObject({ ok: true, checkpoint: { size: 16 } });
    expect((await run(['prove', 'no-such-event', '--checkpoint', 'monday.checkpoint'])).code).toBe(2);
  });

  it('hands a witness each new checkpoint with its consistency proof; the witness takes it', async () => {
    const first = await run(['witness', 'witness', 'monday.checkpoint', '--public-key', 'ledger.vkey']);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Accepted the checkpoint of 16 events of retailer\.example\/ledger: the first/) });
    await moreEvents();
    await save(['checkpoint', '--key', 'key.pem', '--origin', ORIGIN], 'tuesday.checkpoint');
    const proof = await save(['consistency', '--from', 'monday.checkpoint', '--to', 'tuesday.checkpoint'], 'tuesday.proof');
    expect(proof).toMatch(/^([A-Za-z0-9+/]{43}=\n)+$/);
    const second = await run(['witness', 'witness', 'tuesday.checkpoint', '--public-key', 'ledger.vkey', '--proof', 'tuesday.proof']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/extends the one held of 16 events/);
    expect(readdirSync(file('witness'))).toEqual([`${encodeURIComponent(ORIGIN)}.checkpoint`]);
    expect(readFileSync(join(file('witness'), readdirSync(file('witness'))[0]!), 'utf8')).toBe(readFileSync(file('tuesday.checkpoint'), 'utf8'));
    // The witness's folder is itself what an auditor verifies against.
    const audited = await run(['verify', '--checkpoint', 'witness', '--public-key', 'ledger.vkey']);
    expect(audited.code).toBe(0);
    expect(audited.stdout).toMatch(/Checkpoint matches: The log's first 17 events/);
    // A rollback to Monday's checkpoint is refused.
    const rollback = await run(['witness', 'witness', 'monday.checkpoint', '--public-key', 'ledger.vkey']);
    expect(rollback.code).toBe(1);
    expect(rollback.stdout).toMatch(/^REFUSED \(rollback\)/);
  });

  const rewrites: [string, () => void][] = [
    [
      "deletes the last two events of the customer's stream",
      () => {
        const doomed = positionsOf(subjectStream(SUBJECT)).slice(-2);
        rewrite((db) => db.prepare('DELETE FROM events WHERE position IN (?, ?)').run(doomed[0], doomed[1]));
      },
    ],
    ["deletes the other customer's whole stream", () => rewrite((db) => db.prepare('DELETE FROM events WHERE stream = ?').run(subjectStream(OTHER)))],
    [
      "moves the other customer's last event after the customer's next one, each stream keeping its order",
      () => {
        const other = positionsOf(subjectStream(OTHER)).at(-1)!;
        const next = positionsOf(subjectStream(SUBJECT)).find((p) => p > other)!;
        rewrite((db) => {
          const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
          move.run(-1, other);
          move.run(other, next);
          move.run(next, -1);
        });
      },
    ],
  ];

  it.each(rewrites)('catches a company that %s after the checkpoint went to a witness', async (_what, tamper) => {
    expect((await run(['witness', 'witness', 'monday.checkpoint', '--public-key', 'ledger.vkey'])).code).toBe(0);
    tamper();
    // It goes on recording, so that its next checkpoint is bigger than the one the witness holds.
    await moreEvents(3);
    const verified = await run(['verify', '--checkpoint', 'monday.checkpoint', '--public-key', 'ledger.vkey']);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/Checkpoint MISMATCH: .*(removed|changed, removed, reordered or inserted); the log first differs at a leaf from \d+ to \d+/);
    const json = JSON.parse((await run(['verify', '--checkpoint', 'monday.checkpoint', '--public-key', 'ledger.vkey', '--json'])).stdout) as {
      ok: boolean;
      checkpoint: { matches: boolean; firstMismatch: { reason: string } };
    };
    expect(json).toMatchObject({ ok: false, checkpoint: { matches: false, firstMismatch: { reason: expect.stringMatching(/^(truncated|root_mismatch)$/) } } });
    // The company signs the rewritten log and hands it on; the witness refuses it.
    await save(['checkpoint', '--key', 'key.pem', '--origin', ORIGIN], 'rewritten.checkpoint');
    expect((await run(['consistency', '--from', 'monday.checkpoint', '--to', 'rewritten.checkpoint'])).code).toBe(1);
    const held = readdirSync(file('witness')).map((name) => readFileSync(join(file('witness'), name), 'utf8'));
    const refused = await run(['witness', 'witness', 'rewritten.checkpoint', '--public-key', 'ledger.vkey', '--db', story.db]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^REFUSED \(fork\)/);
    expect(readdirSync(file('witness')).map((name) => readFileSync(join(file('witness'), name), 'utf8'))).toEqual(held);
  });

  it('says plainly, without a checkpoint, that removal of the latest events cannot be ruled out', async () => {
    rewrite((db) => db.exec('DELETE FROM events WHERE position > (SELECT MAX(position) - 2 FROM events)'));
    const { code, stdout } = await run(['verify']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Chain intact: 14 events checked/);
    expect(stdout).toMatch(/\nNot checked: whether the latest events of a stream, or whole streams, were removed\./);
    const html = await run(['report', SUBJECT, '--html', 'report.html']);
    expect(html.code).toBe(0);
    const page = readFileSync(file('report.html'), 'utf8');
    expect(page).not.toMatch(/no recorded event was changed, removed or reordered/);
    expect(page).toMatch(/Not checked: whether this customer.{1,6}s latest events, or the whole history, were removed from the ledger/);
  });

  it('reports a position gap left by a deletion even without a checkpoint', async () => {
    const [first] = positionsOf(subjectStream(OTHER));
    rewrite((db) => db.prepare('DELETE FROM events WHERE position = ?').run(first));
    const { code, stdout } = await run(['verify', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, positionGaps: [{ reason: 'position_gap', position: String(first), missing: '1' }] });
  });
});

describe('bad checkpoints, proofs and keys', () => {
  const cases: [string, () => readonly string[], RegExp][] = [
    [
      'a checkpoint file that is not a signed note',
      () => (writeFileSync(file('bad.checkpoint'), 'hello\n'), ['verify', '--checkpoint', 'bad.checkpoint', '--public-key', vkey]),
      /malformed signed note/,
    ],
    [
      'a checkpoint whose size was altered',
      () => (
        writeFileSync(file('bad.checkpoint'), readFileSync(file('monday.checkpoint'), 'utf8').replace('\n16\n', '\n13\n')),
        ['verify', '--checkpoint', 'bad.checkpoint', '--public-key', vkey]
      ),
      /does not verify/,
    ],
    ['a verifier key that is not one', () => ['verify', '--checkpoint', 'monday.checkpoint', '--public-key', 'retailer+zz+AAAA'], /malformed verifier key/],
    ['a key file that is not a PEM key', () => (writeFileSync(file('bad.pem'), 'not a key'), ['checkpoint', '--key', 'bad.pem', '--origin', ORIGIN]), /malformed key file/],
    ['a missing checkpoint file', () => ['prove', 'x', '--checkpoint', 'nowhere.checkpoint'], /no checkpoint file at/],
    [
      'a consistency proof that is not one',
      () => (writeFileSync(file('bad.proof'), 'not base64\n'), ['witness', 'witness', 'monday.checkpoint', '--public-key', vkey, '--proof', 'bad.proof']),
      /malformed consistency proof: hash 1/,
    ],
    ['a checkpoint without a key to check it', () => ['verify', '--checkpoint', 'monday.checkpoint'], /--checkpoint needs --public-key/],
    [
      'a tlog-proof handed as a checkpoint',
      () => (writeFileSync(file('bad.checkpoint'), 'c2sp.org/tlog-proof@v1\nindex 0\n\n'), ['consistency', '--from', 'bad.checkpoint', '--to', 'monday.checkpoint']),
      /malformed/,
    ],
  ];

  it.each(cases)('refuses %s with exit 2, a clear message, and the ledger file untouched', async (_what, argv, message) => {
    const before = fingerprint(story.db);
    const { code, stdout, stderr } = await run(argv());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(fingerprint(story.db)).toBe(before);
    expect(existsSync(file('witness'))).toBe(false);
  });

  it('leaves the ledger file as it was after every verifying command', async () => {
    const before = fingerprint(story.db);
    await moreEvents();
    const after = fingerprint(story.db);
    expect(after).not.toBe(before);
    await save(['checkpoint', '--key', 'key.pem', '--origin', ORIGIN], 'tuesday.checkpoint');
    await save(['consistency', '--from', 'monday.checkpoint', '--to', 'tuesday.checkpoint'], 'tuesday.proof');
    for (const argv of [
      ['verify', '--checkpoint', 'tuesday.checkpoint', '--public-key', vkey],
      ['witness', 'witness', 'monday.checkpoint', '--public-key', vkey, '--db', story.db],
      ['witness', 'witness', 'tuesday.checkpoint', '--public-key', vkey, '--db', story.db],
    ])
      expect((await run(argv)).code).toBe(0);
    expect(fingerprint(story.db)).toBe(after);
  });
});
