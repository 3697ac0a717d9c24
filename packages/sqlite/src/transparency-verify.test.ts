import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { conformancePolicy } from '@custodian/testing';
import {
  buildLogTree,
  createLedger,
  createPemSigner,
  formatCheckpoint,
  generateSignerKey,
  InMemoryKeyStore,
  signNote,
  subjectStream,
  verifyChain,
  type Actor,
} from '@custodian/core';
import { createSqliteEventStore } from './index';

const root = mkdtempSync(join(tmpdir(), 'custodian-sqlite-tlog-'));
let files = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ORIGIN = 'custodian.example/ledger';
const key = generateSignerKey(ORIGIN);
const signer = createPemSigner(key.pem, ORIGIN);
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const notice = { id: 'privacy-notice', version: 'v3' };

/** A ledger file of two customers, each ending with a withdrawal and a refused use; and its checkpoint as it stands. */
async function ledgerFile(): Promise<{ path: string; checkpoint: string; size: number }> {
  const path = join(root, `ledger-${++files}.db`);
  const store = createSqliteEventStore({ path });
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
  for (const subjectId of ['s-a', 's-b']) {
    const subject: Actor = { id: subjectId, kind: 'subject', roles: [] };
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'web',
      purposes: ['order.fulfilment', 'marketing.email'],
      notice,
      data: { 'contact.email': `${subjectId}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: subject, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked' });
    await ledger.withdrawConsent({ subjectId, actor: subject, purpose: 'marketing.email' });
  }
  const log = await buildLogTree(store);
  const checkpoint = await signNote(formatCheckpoint({ origin: ORIGIN, size: log.size, root: log.tree.root() }), [signer]);
  await store.close();
  return { path, checkpoint, size: log.size };
}

/** Runs SQL on the file as an attacker with it could: the triggers that refuse updates and deletes dropped first. */
function tamper(path: string, sql: (db: Database.Database) => void): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
  sql(db);
  db.close();
}

async function verifyFile(path: string, checkpoint?: string) {
  const store = createSqliteEventStore({ path, readonly: true });
  try {
    return await verifyChain(store.readAll(), { positionsGapFreeFrom: store.positionsGapFreeFrom, ...(checkpoint !== undefined && { checkpoint, publicKey: key.verifierKey }) });
  } finally {
    await store.close();
  }
}

const positionsOf = (path: string, stream: string): bigint[] => {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT position FROM events WHERE stream = ? ORDER BY position').safeIntegers(true).all(stream) as { position: bigint }[];
  db.close();
  return rows.map((r) => r.position);
};

describe('verify on a SQLite ledger rewritten with SQL', () => {
  it("reports the gap left by deleting the last two events of a customer's stream, and the checkpoint mismatch", async () => {
    const { path, checkpoint, size } = await ledgerFile();
    const doomed = positionsOf(path, subjectStream('s-a')).slice(-2);
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position IN (?, ?)').run(doomed[0], doomed[1]));
    const plain = await verifyFile(path);
    expect(plain.broken).toEqual([]);
    expect(plain.ok).toBe(false);
    expect(plain.positionGaps).toEqual([{ reason: 'position_gap', position: doomed[0], missing: 2n }]);
    const checked = await verifyFile(path, checkpoint);
    expect(checked.checkpoint).toMatchObject({ matches: false, firstMismatch: { reason: 'truncated', range: [0, size - 2] } });
  });

  it('sees the log cut at its tail only with a checkpoint, and says so without one', async () => {
    const { path, checkpoint, size } = await ledgerFile();
    tamper(path, (db) => db.exec('DELETE FROM events WHERE position > (SELECT MAX(position) - 2 FROM events)'));
    const plain = await verifyFile(path);
    expect(plain).toMatchObject({ ok: true, positionGaps: [], tailUnverified: true });
    const checked = await verifyFile(path, checkpoint);
    expect(checked).toMatchObject({ ok: false, tailUnverified: false, checkpoint: { firstMismatch: { reason: 'truncated', range: [0, size - 2] } } });
  });

  it("detects a customer's whole stream deleted", async () => {
    const { path, checkpoint } = await ledgerFile();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE stream = ?').run(subjectStream('s-b')));
    const checked = await verifyFile(path, checkpoint);
    expect(checked.broken).toEqual([]);
    expect(checked.ok).toBe(false);
    expect(checked.checkpoint?.firstMismatch?.reason).toBe('truncated');
  });

  it('detects events of two streams reordered by rewriting their positions, no position missing', async () => {
    const { path, checkpoint, size } = await ledgerFile();
    const [a] = positionsOf(path, subjectStream('s-a')).slice(-1);
    const [b] = positionsOf(path, subjectStream('s-b'));
    // The withdrawal of s-a now comes after s-b's first event: each stream keeps its own order.
    tamper(path, (db) => {
      db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a);
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a, b);
      db.prepare('UPDATE events SET position = ? WHERE position = -1').run(b);
    });
    const plain = await verifyFile(path);
    expect(plain).toMatchObject({ ok: true, broken: [], positionGaps: [] });
    const checked = await verifyFile(path, checkpoint);
    expect(checked.ok).toBe(false);
    expect(checked.checkpoint?.firstMismatch).toEqual({ reason: 'root_mismatch', range: [0, size - 1], checkpointSize: size });
  });
});
