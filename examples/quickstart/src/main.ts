// The quickstart story: a retailer collects a customer's email under privacy notice v3,
// she opts in to email marketing, the campaign service uses her email, a marketing
// agency is registered, verified and given her email; she withdraws her consent, and the
// next campaign use is refused. Then her consent state, history and inventory are printed.
// Run as a program, it keeps the ledger in a SQLite file (custodian.db unless a path is
// given) for the `custodian` command to verify and report on.
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor, type EventStore, type Ledger } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';

export const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  // No permissions named: registering and verifying recipients, erasing and the other
  // administrative operations are the privacy role's; collecting, the purposes' roles'.
});

const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo@retailer', kind: 'employee', roles: ['privacy'] };
export const subjectId = 'cust-4f9a2c';
export const recipientId = 'brightmail-agency';
const notice = { id: 'privacy-notice', version: 'v3' };

export interface Cast {
  /** Who the story is about; a store that outlives one run (a server) needs a new one each time. */
  subjectId?: string;
  recipientId?: string;
  log?: (line: string) => void;
}

/** Runs the story on any store; returns the ledger so callers (the other examples, tests) can look further. */
export async function runQuickstart(store: EventStore, cast: Cast = {}): Promise<Ledger> {
  const { subjectId: subject = subjectId, recipientId: agency = recipientId, log = console.log } = cast;
  return tellStory(createLedger({ store, keys: new InMemoryKeyStore(), policy }), subject, agency, log);
}

async function tellStory(ledger: Ledger, subjectId: string, recipientId: string, log: (line: string) => void): Promise<Ledger> {
  const customer: Actor = { id: subjectId, kind: 'subject', roles: [] };

  await ledger.collect({
    subjectId,
    actor: checkout,
    source: 'checkout-form',
    purposes: ['order.fulfilment', 'marketing.email'],
    notice,
    data: { 'contact.email': 'ann@example.com' },
  });
  log('1. Collected her email at checkout, under privacy notice v3.');

  await ledger.grantConsent({ subjectId, actor: customer, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked "Send me offers" on the checkout page' });
  log('2. She opted in to email marketing.');

  const first = await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring-sale' });
  log(`3. Spring campaign uses her email: ${first.allowed ? `allowed (basis: consent event ${first.basis.consentEventId})` : `refused (${first.reason})`}`);

  await ledger.registerRecipient({ recipientId, actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
  await ledger.verifyRecipient({ recipientId, actor: dpo, evidence: 'signed DPA reviewed by legal' });
  log('4. Brightmail Agency registered under DPA dpa-2026-014 and verified.');

  const shared = await ledger.share({ subjectId, actor: campaigns, recipientId, purpose: 'marketing.email', categories: ['contact.email'] });
  log(`5. Her email shared with Brightmail: ${shared.allowed ? 'allowed' : `refused (${shared.reason})`}`);

  await ledger.withdrawConsent({ subjectId, actor: customer, purpose: 'marketing.email', method: 'email' });
  log('6. She withdrew her consent to email marketing.');

  const second = await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:summer-sale' });
  log(`7. Summer campaign tries to use her email: ${second.allowed ? 'allowed' : `refused: ${second.reason} (${second.detail})`}`);

  return ledger;
}

export async function printSubject(ledger: Ledger, cast: Pick<Cast, 'subjectId' | 'log'> = {}): Promise<void> {
  const { subjectId: subject = subjectId, log = console.log } = cast;
  await printStory(ledger, subject, log);
}

async function printStory(ledger: Ledger, subjectId: string, log: (line: string) => void): Promise<void> {
  log('\nHer consent state:');
  for (const [purpose, consent] of Object.entries(await ledger.consentState(subjectId)))
    log(
      `  ${purpose.padEnd(18)} ${consent.status.padEnd(9)} since ${consent.since} ${consent.notice ? `(notice ${consent.notice.id} ${consent.notice.version})` : `(by a ${consent.method} signal)`}`,
    );

  log('\nHer history (who touched her data, why, on what basis):');
  for (const entry of await ledger.history(subjectId)) {
    const what = `${entry.kind.padEnd(8)} ${entry.categories.join(', ')} for ${entry.purpose}`;
    const why = entry.kind === 'denied' ? `refused: ${entry.reason}` : `basis: ${entry.basis?.legalBasis}${entry.basis?.consentEventId ? ` ${entry.basis.consentEventId}` : ''}`;
    log(`  ${entry.at}  ${entry.actor.id.padEnd(17)} ${what}${entry.recipientId ? ` -> ${entry.recipientId}` : ''}${entry.activity ? ` (${entry.activity})` : ''}; ${why}`);
  }

  const inventory = await ledger.inventory(subjectId);
  log('\nHer inventory (what we hold and where it went):');
  for (const held of inventory.categories) log(`  ${held.category} from ${held.source}, for ${held.purposes.join(' and ')}, kept until ${held.retainUntil.slice(0, 10)}`);
  for (const copy of inventory.recipients) log(`  copy at ${copy.recipientId}: ${copy.categories.join(', ')} for ${copy.purposes.join(', ')} since ${copy.firstSharedAt}`);
  log(`  erased: ${inventory.erased ? 'yes' : 'no'}`);
}

/** The demo tells the story once, so it starts from an empty ledger file: any earlier one is removed. */
function freshLedgerFile(path: string, log: (line: string) => void): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    rmSync(file);
    log(`(demo) Removed ${file} to start from a fresh ledger.`);
  }
}

if (require.main === module) {
  (async () => {
    const path = resolve(process.argv[2] ?? 'custodian.db');
    freshLedgerFile(path, console.log);
    const store = createSqliteEventStore({ path });
    try {
      const ledger = await runQuickstart(store);
      await printSubject(ledger);
    } finally {
      await store.close();
    }
    console.log(`\nThe ledger is in ${path}; check it with: custodian verify --db ${path}`);
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
