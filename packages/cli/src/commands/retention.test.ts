import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { categoryKeyId, createLedger, definePolicy, type Actor } from '@custodian/core';
import { cli } from '../test-support/capture';
import { MASTER_KEY, workspace, type Workspace } from '../test-support/fixture';

const env = { CUSTODIAN_MASTER_KEY: MASTER_KEY };
const policy = definePolicy({
  purposes: {
    'fraud.prevention': { legalBasis: 'legitimate_interests', categories: ['contact.email', 'contact.address'], roles: ['fraud'], retention: 'P30D' },
    'marketing.email': { legalBasis: 'legitimate_interests', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
  },
});
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fraud', 'marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const COLLECTED = Date.parse('2020-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(COLLECTED + days * DAY).toISOString();

let ws: Workspace;
/** Two customers, each with an email kept for marketing (two years) and fraud prevention, and an address for fraud prevention only (30 days). */
beforeEach(async () => {
  ws = workspace();
  const store = ws.open();
  try {
    const ledger = createLedger({ store, keys: ws.fileKeys(), policy, clock: () => new Date(COLLECTED) });
    for (const subjectId of ['c-1', 'c-2']) {
      await ledger.collect({
        subjectId,
        actor: checkout,
        source: 'checkout',
        purposes: ['fraud.prevention', 'marketing.email'],
        notice,
        data: { 'contact.email': `${subjectId}@example.com` },
      });
      await ledger.collect({ subjectId, actor: checkout, source: 'checkout', purposes: ['fraud.prevention'], notice, data: { 'contact.address': '12 Elm Street' } });
    }
  } finally {
    await store.close();
  }
});
afterEach(() => ws.remove());

const fingerprint = (path: string) => ({ sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), mtimeMs: statSync(path).mtimeMs });
const enforce = (...more: string[]) => cli(['retention', '--enforce', '--db', ws.db, '--keys', ws.keys, '--roles', 'privacy', ...more], { cwd: ws.dir, env });

describe('custodian retention', () => {
  it('lists what no purpose may keep at --now, writing nothing', async () => {
    const before = fingerprint(ws.db);
    const listed = await cli(['retention', '--db', ws.db, '--now', at(31), '--json'], { cwd: ws.dir });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(listed.stdout) as { due: unknown[] }).due).toEqual([
      { subjectId: 'c-1', category: 'contact.address', retainUntil: at(30), retention: { 'fraud.prevention': at(30) } },
      { subjectId: 'c-2', category: 'contact.address', retainUntil: at(30), retention: { 'fraud.prevention': at(30) } },
    ]);
    const text = await cli(['retention', '--db', ws.db, '--now', at(10)], { cwd: ws.dir });
    expect(text.stdout).toMatch(/^Nothing in .* is past its retention at 2020-01-11T00:00:00.000Z\.\n$/);
    expect(fingerprint(ws.db)).toEqual(before);
  });

  it('--enforce erases by shredding, records why, and a second run erases nothing', async () => {
    const first = await enforce('--now', at(31));
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      /^Erased 2 categories of 2 subjects in .*custodian\.db, past every purpose's retention at 2020-02-01T00:00:00.000Z:\n {2}c-1: contact\.address \(event /,
    );
    const keys = ws.fileKeys();
    expect(await keys.get(categoryKeyId('c-1', 'contact.address', 0))).toBeUndefined();
    expect(await keys.get(categoryKeyId('c-1', 'contact.email', 0))).toBeDefined();

    const again = await enforce('--now', at(31), '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ now: at(31), erasures: [] });
    const exported = JSON.parse((await cli(['export', 'c-1', '--db', ws.db, '--keys', ws.keys, '--json'], { cwd: ws.dir, env })).stdout) as {
      data: { category: string; value: string | null }[];
      erasedCategories: { category: string; reason: string }[];
    };
    expect(exported.data.map((d) => [d.category, d.value])).toEqual([['contact.email', 'c-1@example.com']]);
    expect(exported.erasedCategories).toEqual([expect.objectContaining({ category: 'contact.address', reason: 'retention_expired' })]);
    const report = await cli(['report', 'c-1', '--db', ws.db], { cwd: ws.dir });
    // Recorded when the sweep ran, judged at --now.
    expect(report.stdout).toMatch(/erased: {6}contact\.address \(erased once no purpose could keep it any longer on \d+ \w+ \d{4}, /);
    expect(report.stdout).toContain(
      'contact.email (for fraud.prevention and marketing.email; kept for fraud.prevention until 31 Jan 2020 and for marketing.email until 1 Jan 2022)',
    );
    expect((await cli(['verify', '--db', ws.db], { cwd: ws.dir })).code).toBe(0);
  });

  it.each([
    ['--enforce without --keys', ['retention', '--enforce'], /retention --enforce needs --keys <dir>/],
    [
      '--enforce on EventStoreDB',
      ['retention', '--enforce', '--eventstore', 'esdb://localhost:2113?tls=false', '--keys', 'keys'],
      /writes to a SQLite ledger file \(--db <file>\) or to PostgreSQL \(--postgres <url>\), not to EventStoreDB/,
    ],
    ['--enforce on two ledgers', ['retention', '--enforce', '--postgres', 'postgres://u:p@localhost:5432/ledger', '--keys', 'keys'], /pass either --db or --postgres, not both/],
    ['a --now that is no time', ['retention', '--now', 'yesterday'], /--now must be an ISO 8601 time/],
    ['a --now in the future', ['retention', '--now', '2999-01-01T00:00:00Z'], /--now must not be in the future/],
    ['an actor without the role', ['retention', '--enforce', '--keys', 'keys', '--roles', 'support'], /enforceRetention needs one of the roles privacy/],
  ])('refuses %s with exit 2, erasing nothing', async (_, argv, message) => {
    const before = fingerprint(ws.db);
    const refused = await cli([...argv, '--db', ws.db], { cwd: ws.dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
    expect(fingerprint(ws.db)).toEqual(before);
    expect(await ws.fileKeys().get(categoryKeyId('c-1', 'contact.address', 0))).toBeDefined();
  });
});
