// The quickstart story, kept in EventStoreDB: a retailer collects a customer's email
// under privacy notice v3, she opts in to email marketing, the campaign service uses
// her email, an agency is registered, verified and given it; she withdraws her consent
// and the next campaign use is refused. Then a projection kept in EventStoreDB (its
// state and checkpoint in a stream of its own) tallies every decision by purpose, and
// the chain of every stream is verified.
//
// Each run tells the story about a new customer and agency, so it can run again and
// again against the same server; the projection resumes from its checkpoint each time
// and counts only what is new.
//
//   docker run --rm -d --name custodian-esdb -p 2113:2113 -e EVENTSTORE_INSECURE=true eventstore/eventstore:24.10
//   npx tsc -b && node examples/eventstoredb/dist/main.js
//
// EVENTSTORE_CONNECTION_STRING names another server (default esdb://localhost:2113?tls=false).
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { createLedger, definePolicy, events, InMemoryKeyStore, subjectStream, type Actor, type Ledger, type RecordedEvent } from '@custodian/core';
import { createEventStoreDBStore, startProjection, type EventStoreDBStore, type Projection } from '@custodian/eventstoredb';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], suspendRecipient: ['privacy'], erase: ['privacy'] },
});

const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo@retailer', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };

/** Decisions recorded in the ledger, by purpose: what an analyst's dashboard shows. */
type Tally = Record<string, { allowed: number; refused: number }>;

const decisionsByPurpose: Projection<Tally> = {
  name: 'decisions-by-purpose',
  initial: {},
  evolve(tally, record: RecordedEvent) {
    if (!['DataUsed', 'DataAccessed', 'DataShared', 'UseDenied'].includes(record.type)) return tally;
    const event = events.decode(record.data);
    const purpose = (event.data as { purpose: string }).purpose;
    const before = tally[purpose] ?? { allowed: 0, refused: 0 };
    const after = event.type === 'UseDenied' ? { ...before, refused: before.refused + 1 } : { ...before, allowed: before.allowed + 1 };
    return { ...tally, [purpose]: after };
  },
};

async function tellTheStory(ledger: Ledger, subjectId: string, recipientId: string): Promise<void> {
  const customer: Actor = { id: subjectId, kind: 'subject', roles: [] };
  await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data: { 'contact.email': 'ann@example.com' } });
  console.log('1. Collected her email at checkout, under privacy notice v3.');
  await ledger.grantConsent({ subjectId, actor: customer, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked "Send me offers" on the checkout page' });
  console.log('2. She opted in to email marketing.');
  const first = await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring-sale' });
  console.log(`3. Spring campaign uses her email: ${first.allowed ? `allowed (basis: consent event ${first.basis.consentEventId})` : `refused (${first.reason})`}`);
  await ledger.registerRecipient({ recipientId, actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
  await ledger.verifyRecipient({ recipientId, actor: dpo, evidence: 'signed DPA reviewed by legal' });
  console.log('4. Brightmail Agency registered under DPA dpa-2026-014 and verified.');
  const shared = await ledger.share({ subjectId, actor: campaigns, recipientId, purpose: 'marketing.email', categories: ['contact.email'] });
  console.log(`5. Her email shared with Brightmail: ${shared.allowed ? 'allowed' : `refused (${shared.reason})`}`);
  await ledger.withdrawConsent({ subjectId, actor: customer, purpose: 'marketing.email', method: 'email' });
  console.log('6. She withdrew her consent to email marketing.');
  const second = await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:summer-sale' });
  console.log(`7. Summer campaign tries to use her email: ${second.allowed ? 'allowed' : `refused: ${second.reason} (${second.detail})`}`);

  console.log('\nHer consent state:');
  for (const [purpose, consent] of Object.entries(await ledger.consentState(subjectId))) console.log(`  ${purpose.padEnd(18)} ${consent.status} since ${consent.since}`);
  console.log('Her history:');
  for (const entry of await ledger.history(subjectId))
    console.log(`  ${entry.kind.padEnd(8)} ${entry.categories.join(', ')} for ${entry.purpose}${entry.recipientId ? ` -> ${entry.recipientId}` : ''}${entry.reason ? `; refused: ${entry.reason}` : ''}`);
}

/** Folds what the ledger recorded into the projection, which resumes from its checkpoint in EventStoreDB. */
async function tallyDecisions(store: EventStoreDBStore, subjectId: string): Promise<void> {
  const runner = await startProjection(store, decisionsByPurpose);
  const resumedAt = runner.position();
  console.log(`\nProjection ${decisionsByPurpose.name}: ${resumedAt === undefined ? 'no checkpoint yet, folding $all from the start' : `resumed from its checkpoint at position ${resumedAt}`}.`);
  // The story ends with the refused summer campaign, the last event of her stream.
  for await (const last of store.readStream(subjectStream(subjectId), { direction: 'backwards', maxCount: 1 })) await runner.waitFor(last.position);
  await runner.stop();
  for (const [purpose, counts] of Object.entries(runner.state()).sort(([a], [b]) => a.localeCompare(b)))
    console.log(`  ${purpose.padEnd(18)} allowed ${counts.allowed}, refused ${counts.refused}`);
  console.log(`  (state and position kept together in stream custodian-checkpoint-${decisionsByPurpose.name})`);
}

async function main(): Promise<void> {
  const connectionString = process.env['EVENTSTORE_CONNECTION_STRING'] ?? 'esdb://localhost:2113?tls=false';
  const store = createEventStoreDBStore(EventStoreDBClient.connectionString(connectionString));
  try {
    const run = randomUUID().slice(0, 6);
    const subjectId = `cust-${run}`;
    const recipientId = `brightmail-${run}`;
    console.log(`The quickstart story on EventStoreDB: customer ${subjectId}, agency ${recipientId}.\n`);
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    await tellTheStory(ledger, subjectId, recipientId);
    await tallyDecisions(store, subjectId);
    const verified = await ledger.audit.verify();
    console.log(`\n${verified.ok ? 'Chain intact' : 'Chain BROKEN'}: ${verified.checked} events checked, ${verified.broken.length} broken links.`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
