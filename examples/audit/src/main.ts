// An auditor's afternoon: replay the quickstart's history, verify that nobody rewrote it,
// find the use a careless service wrote straight into the store, explain why a campaign
// was refused, and read her consent as it stood before she withdrew it.
import { events, GENESIS_HASH, InMemoryEventStore, subjectStream, type Actor, type Ledger } from '@custodian/core';
import { runQuickstart, subjectId } from '@custodian/example-quickstart';

/** What a service that bypassed the ledger would write: a correctly chained DataUsed after the withdrawal. */
async function plantRogueUse(ledger: Ledger): Promise<string> {
  const stream = subjectStream(subjectId);
  let last: { revision: bigint; hash: string } | undefined;
  for await (const record of ledger.store.readStream(stream, { direction: 'backwards', maxCount: 1 })) last = { revision: record.revision, hash: events.decode(record.data).hash };
  const consent = await ledger.consentState(subjectId);
  const draft = {
    type: 'DataUsed' as const,
    data: {
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: 'newsletter:weekly',
      basis: { legalBasis: 'consent' as const, consentEventId: consent['marketing.email']?.eventId },
    },
  };
  const actor: Actor = { id: 'legacy-newsletter-cron', kind: 'service', roles: ['marketing'] };
  const { toAppend, event } = events.seal(
    events.envelope(draft, { stream, subjectId, actor, now: new Date(), id: '01930000-0000-7000-8000-00000000beef' }),
    last?.hash ?? GENESIS_HASH,
  );
  await ledger.store.append(stream, [toAppend], last?.revision ?? 'no_stream');
  return event.id;
}

async function main(): Promise<void> {
  const ledger = await runQuickstart(new InMemoryEventStore(), { log: () => undefined });
  const rogue = await plantRogueUse(ledger);
  console.log('The quickstart ran; then a legacy cron job wrote a DataUsed straight into the store.\n');

  const verified = await ledger.audit.verify();
  console.log(`1. Chain verified: ${verified.ok ? 'intact' : 'BROKEN'}, ${verified.checked} events checked.`);

  console.log('\n2. Uses without a valid basis:');
  for (const violation of await ledger.audit.violations())
    console.log(
      `   ${violation.eventId === rogue ? '[planted] ' : ''}${violation.type} ${violation.eventId} by ${violation.actorId} at ${violation.occurredAt}: ${violation.reason} (${violation.detail})`,
    );

  const refused = (await ledger.history(subjectId)).find((entry) => entry.kind === 'denied');
  if (!refused) throw new Error('the quickstart should have a refused use');
  const why = await ledger.audit.explain(refused.eventId);
  console.log(`\n3. Why was "${refused.activity}" refused? ${why.replayed.allowed ? 'it was not' : why.replayed.reason}; replayed today the rules agree: ${why.consistent}.`);
  console.log(`   Purpose ${why.purpose.name} rests on ${why.purpose.rule?.legalBasis}; actor ${why.actor.id} holds the allowed role(s) ${why.actor.rolesAllowed.join(', ')}.`);
  for (const evidence of why.evidence) console.log(`   evidence: ${evidence.type} ${evidence.id} at ${evidence.occurredAt} by ${evidence.actor.id}`);

  const allowed = (await ledger.history(subjectId)).find((entry) => entry.kind === 'used');
  if (allowed) {
    const because = await ledger.audit.explain(allowed.eventId);
    console.log(`   And the spring campaign was allowed because of: ${because.evidence.map((e) => `${e.type} ${e.id}`).join(', ')}.`);
  }

  let beforeWithdrawal = 0n;
  for await (const record of ledger.store.readStream(subjectStream(subjectId))) {
    if (record.type === 'ConsentWithdrawn') break;
    beforeWithdrawal = record.position;
  }
  console.log(`\n4. Her consent as it stood at global position ${beforeWithdrawal} (just before she withdrew):`);
  for (const [purpose, consent] of Object.entries(await ledger.audit.at(beforeWithdrawal).consentState(subjectId)))
    console.log(`   ${purpose}: ${consent.status} since ${consent.since} (notice ${consent.notice?.version ?? 'none'})`);
  console.log('   and now:');
  for (const [purpose, consent] of Object.entries(await ledger.consentState(subjectId))) console.log(`   ${purpose}: ${consent.status} since ${consent.since}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
