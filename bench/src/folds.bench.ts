// Linear read models: the time to fold n, 2n and 4n shares to one recipient, and the ratio of
// each doubling beside the goal (at most 2.3x), with 4n = 900,000 shares in at most 3 s.
// Two folds: core's recipients read model over decoded events (`foldProjection`), and
// `ledger.recipients()` over an in-memory store of sealed records (decoding included).
// Run: npx pnpm bench:folds   (SHARES=<n> for a smaller n; the default is 225,000)
import { randomUUID } from 'node:crypto';
import {
  createLedger,
  definePolicy,
  events,
  foldProjection,
  GENESIS_HASH,
  InMemoryEventStore,
  InMemoryKeyStore,
  recipientsProjection,
  recipientStream,
  subjectStream,
  type Actor,
  type CustodianEvent,
  type EventToAppend,
} from '@custodian/core';
import { reportFigure } from './figures';

const N = Number(process.env.SHARES ?? 225_000);
const GOAL_RATIO = 2.3;
const GOAL_SECONDS_AT_900K = 3;

const policy = definePolicy({
  purposes: { 'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' } },
});
const actor: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const now = new Date('2026-01-01T00:00:00.000Z');

/** The recipient's registration, then `count` shares to it, each from its own subject: sealed as the ledger seals them. */
function sharesTo(count: number): { sealed: { stream: string; toAppend: EventToAppend }[]; decoded: CustodianEvent[] } {
  const sealed: { stream: string; toAppend: EventToAppend }[] = [];
  const decoded: CustodianEvent[] = [];
  const add = (stream: string, event: ReturnType<typeof events.envelope>) => {
    const out = events.seal(event, GENESIS_HASH);
    sealed.push({ stream, toAppend: out.toAppend });
    decoded.push(out.event);
  };
  const registry = recipientStream('agency');
  add(
    registry,
    events.envelope(
      { type: 'RecipientRegistered', data: { recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' } },
      { stream: registry, actor, now, id: randomUUID() },
    ),
  );
  for (let i = 0; i < count; i++) {
    const subjectId = `c-${i}`;
    const stream = subjectStream(subjectId);
    const data = {
      recipientId: 'agency',
      purpose: 'marketing.email',
      categories: ['contact.email'],
      agreement: 'dpa-1',
      basis: { legalBasis: 'consent' as const, consentEventId: randomUUID() },
    };
    add(stream, events.envelope({ type: 'DataShared', data }, { stream, subjectId, actor, now, id: randomUUID() }));
  }
  return { sealed, decoded };
}

/** With --expose-gc (the script passes it), each timing starts from a collected heap rather than the last run's garbage. */
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timeRecipients(count: number): Promise<{ pure: number; ledger: number }> {
  const { sealed, decoded } = sharesTo(count);
  collectGarbage();
  let started = performance.now();
  const entry = foldProjection(recipientsProjection, decoded).get('agency');
  if (entry?.received.length !== count) throw new Error(`the fold found ${entry?.received.length} shares, not ${count}`);
  const pure = performance.now() - started;

  const store = new InMemoryEventStore();
  for (const { stream, toAppend } of sealed) await store.append(stream, [toAppend], 'no_stream');
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  collectGarbage();
  started = performance.now();
  const [read] = await ledger.recipients();
  if (read?.received.length !== count) throw new Error(`ledger.recipients() found ${read?.received.length} shares, not ${count}`);
  return { pure, ledger: performance.now() - started };
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}; shares to one recipient: n = ${N.toLocaleString('en-US')}, 2n, 4n\n`);
  const sizes = [N, 2 * N, 4 * N];
  const results: { count: number; pure: number; ledger: number }[] = [];
  for (const count of sizes) {
    const result = await timeRecipients(count);
    results.push({ count, ...result });
  }
  for (const kind of ['pure', 'ledger'] as const) {
    console.log(kind === 'pure' ? 'foldProjection(recipientsProjection, events):' : 'ledger.recipients() (read and decode included):');
    results.forEach((result, i) => {
      const previous = results[i - 1];
      const ratio = previous ? ` — ${(result[kind] / previous[kind]).toFixed(2)}x the time at ${previous.count.toLocaleString('en-US')} (goal: at most ${GOAL_RATIO}x)` : '';
      console.log(`  ${result.count.toLocaleString('en-US').padStart(9)} shares: ${seconds(result[kind])}${ratio}`);
      if (previous) {
        const times = result[kind] / previous[kind];
        reportFigure({
          item: '3',
          what: `${kind === 'pure' ? 'fold' : 'ledger.recipients()'}, ${previous.count.toLocaleString('en-US')} → ${result.count.toLocaleString('en-US')} shares to one recipient`,
          measured: `${times.toFixed(2)}× the time`,
          goal: `≤ ${GOAL_RATIO}×`,
          met: times <= GOAL_RATIO,
        });
      }
    });
    const last = results[results.length - 1] as { count: number; pure: number; ledger: number };
    const at900k = (last[kind] / last.count) * 900_000;
    reportFigure({
      item: '3',
      what: `${kind === 'pure' ? 'fold' : 'ledger.recipients()'} at 900,000 shares${last.count === 900_000 ? '' : ' (extrapolated)'}`,
      measured: seconds(at900k),
      goal: `≤ ${GOAL_SECONDS_AT_900K} s`,
      met: at900k / 1000 <= GOAL_SECONDS_AT_900K,
    });
    console.log(`  at 900,000 shares: ${seconds(at900k)}${last.count === 900_000 ? '' : ' (extrapolated linearly)'} (goal: at most ${GOAL_SECONDS_AT_900K} s)\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
