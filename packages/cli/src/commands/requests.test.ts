import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLedger, InMemoryKeyStore, type Actor } from '@custodian/core';
import { cli } from '../test-support/capture';
import { actors, OTHER, policy, tellStory, workspace, type Workspace } from '../test-support/fixture';

const THIRD = 'cust-9c2e11';
const self = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });
const notice = { id: 'privacy-notice', version: 'v3' };
let ws: Workspace;
const ids = { other: '', third: '', extension: '' };

beforeAll(async () => {
  ws = workspace();
  const store = ws.open();
  const keys = new InMemoryKeyStore();
  // The quickstart story: its customer's access request is answered at once and her erasure done.
  await tellStory(store, keys);
  let now = new Date('2026-03-01T12:00:00.000Z');
  const ledger = createLedger({ store, keys, policy, clock: () => now });
  ids.other = (await ledger.requestErasure({ subjectId: OTHER, actor: self(OTHER) })).id;
  now = new Date('2026-03-10T08:00:00.000Z');
  await ledger.collect({ subjectId: THIRD, actor: actors.checkout, source: 'checkout-form', purposes: ['order.fulfilment'], notice, data: { 'contact.email': 'cy@example.com' } });
  ids.third = (await ledger.requestErasure({ subjectId: THIRD, actor: self(THIRD) })).id;
  now = new Date('2026-03-20T08:00:00.000Z');
  ids.extension = (await ledger.extendRequestDeadline({ subjectId: THIRD, actor: actors.dpo, requestEventId: ids.third, reason: 'number_of_requests' })).id;
  await store.close();
});
afterAll(() => ws.remove());

describe('custodian requests', () => {
  it('lists every open request across subjects, soonest due first, with the days left, and exits 0 while none is overdue', async () => {
    const { code, stdout, stderr } = await cli(['requests', '--now', '2026-03-25T00:00:00Z'], { cwd: ws.dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^2 open requests in ${ws.db} at 2026-03-25T00:00:00.000Z, 0 past its deadline\\.`));
    const rows = stdout.split('\n').filter((line) => line.startsWith('  cust-'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^  ${OTHER} +erasure +2026-03-01T12:00:00.000Z +1 Apr 2026 +7 days left +${ids.other}$`));
    expect(rows[1]).toMatch(new RegExp(`^  ${THIRD} +erasure +2026-03-10T08:00:00.000Z +10 Jun 2026 +77 days left +from 10 Apr 2026: the number of requests +${ids.third}$`));
  });

  it('with --overdue, lists those past their deadline only, and exits 1', async () => {
    const { code, stdout } = await cli(['requests', '--overdue', '--now', '2026-04-02T09:00:00Z'], { cwd: ws.dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^1 request past its deadline in .* at 2026-04-02T09:00:00.000Z \(of 2 open requests\)\./);
    expect(stdout).toMatch(new RegExp(`  ${OTHER} +erasure .* 1 Apr 2026 +1 day overdue +${ids.other}\\n`));
    expect(stdout).not.toContain(THIRD);
  });

  it('says so when nothing is overdue, and counts the day a request is due as not overdue', async () => {
    const { code, stdout } = await cli(['requests', '--overdue', '--now', '2026-04-01T23:59:59.999Z'], { cwd: ws.dir });
    expect(code).toBe(0);
    expect(stdout).toContain('  no request is past its deadline\n');
  });

  it('answers machines in JSON', async () => {
    const { code, stdout } = await cli(['requests', '--overdue', '--now', '2026-07-01', '--json'], { cwd: ws.dir });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      ledger: ws.db,
      now: '2026-07-01T00:00:00.000Z',
      overdueOnly: true,
      open: 2,
      overdue: 2,
      requests: [
        { subjectId: OTHER, requestEventId: ids.other, right: 'erasure', receivedAt: '2026-03-01T12:00:00.000Z', dueBy: '2026-04-01T23:59:59.999Z', daysLeft: -91, overdue: true },
        {
          subjectId: THIRD,
          requestEventId: ids.third,
          right: 'erasure',
          receivedAt: '2026-03-10T08:00:00.000Z',
          dueBy: '2026-06-10T23:59:59.999Z',
          daysLeft: -21,
          overdue: true,
          extension: { eventId: ids.extension, reason: 'number_of_requests', statutoryDueBy: '2026-04-10T23:59:59.999Z' },
        },
      ],
    });
  });

  it.each([
    [['--now', '2026-02-30'], "--now takes an ISO 8601 time (like 2026-03-01T10:00:00Z or 2026-03-01), not '2026-02-30'"],
    [['--now', 'tomorrow'], "--now takes an ISO 8601 time (like 2026-03-01T10:00:00Z or 2026-03-01), not 'tomorrow'"],
    [['--now'], "option '--now' needs a value (<time>)"],
    [['--now='], '--now needs a time'],
    [['--overdue=yes'], "option '--overdue' takes no value"],
    [['--late'], "unknown option '--late'"],
  ])('refuses %j with exit 2, naming the option', async (args, message) => {
    const before = readFileSync(ws.db);
    const { code, stdout, stderr } = await cli(['requests', ...args], { cwd: ws.dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`custodian: ${message}\nRun 'custodian requests --help' for usage.\n`);
    expect(readFileSync(ws.db).equals(before)).toBe(true);
  });
});

describe("the subject's report and export show the days left", () => {
  it('in the plain report', async () => {
    const { stdout } = await cli(['report', THIRD], { cwd: ws.dir });
    expect(stdout).toMatch(/ {2}to answer: {3}erasure \(Art\. 17\), asked \d+ \w+ 2026, due by 10 Jun 2026 \(\d+ days (left|overdue), extended\)/);
    const timeline = stdout.split('\n').filter((line) => line.includes('more time taken'));
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toContain("The deadline to answer the customer's request was extended to 10 Jun 2026. Because of the number of requests (GDPR Art. 12(3)");
    expect((await cli(['report', OTHER], { cwd: ws.dir })).stdout).toMatch(/to answer: {3}erasure \(Art\. 17\), asked 1 Mar 2026, due by 1 Apr 2026 \(/);
  });

  it('in the HTML report', async () => {
    expect((await cli(['report', THIRD, '--html', 'third.html'], { cwd: ws.dir })).code).toBe(0);
    const html = readFileSync(join(ws.dir, 'third.html'), 'utf8');
    expect(html).toMatch(new RegExp(`<div class="card requests"><h3>Requests to answer</h3><ul><li data-request="${ids.third}" data-days-left="-?\\d+">`));
    expect(html).toContain('to be answered by 10 Jun 2026; extended from 10 Apr 2026 because of the number of requests');
    expect(html).toContain('data-kind="deadline-extended"');
  });

  it('in the export, plain and JSON', async () => {
    const plain = (await cli(['export', OTHER], { cwd: ws.dir })).stdout;
    expect(plain).toMatch(
      new RegExp(`Requests to answer\\n {2}right +received +due by +days left +extended +request\\n {2}erasure +2026-03-01T12:00:00.000Z +1 Apr 2026 +.+ +${ids.other}\\n`),
    );
    const exported = JSON.parse((await cli(['export', OTHER, '--json'], { cwd: ws.dir })).stdout) as { openRequests: unknown[] };
    expect(exported.openRequests).toEqual([
      {
        requestEventId: ids.other,
        right: 'erasure',
        receivedAt: '2026-03-01T12:00:00.000Z',
        dueBy: '2026-04-01T23:59:59.999Z',
        daysLeft: expect.any(Number),
        overdue: expect.any(Boolean),
      },
    ]);
  });
});
