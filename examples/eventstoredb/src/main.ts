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
import { events, subjectStream, type RecordedEvent } from '@custodian/core';
import { printSubject, runQuickstart } from '@custodian/example-quickstart';
import { createEventStoreDBStore, startProjection, type EventStoreDBStore, type Projection } from '@custodian/eventstoredb';

/** Decisions recorded in the ledger, by purpose: what an analyst's dashboard shows. */
type Tally = Record<string, { allowed: number; refused: number }>;

const decisionsByPurpose: Projection<Tally> = {
  name: 'decisions-by-purpose',
  initial: () => ({}),
  evolve(tally, record: RecordedEvent) {
    if (!['DataUsed', 'DataAccessed', 'DataShared', 'UseDenied'].includes(record.type)) return tally;
    const event = events.decode(record.data);
    const purpose = (event.data as { purpose: string }).purpose;
    const before = tally[purpose] ?? { allowed: 0, refused: 0 };
    const after = event.type === 'UseDenied' ? { ...before, refused: before.refused + 1 } : { ...before, allowed: before.allowed + 1 };
    return { ...tally, [purpose]: after };
  },
};

/** Folds what the ledger recorded into the projection, which resumes from its checkpoint in EventStoreDB. */
async function tallyDecisions(store: EventStoreDBStore, subjectId: string): Promise<void> {
  const runner = await startProjection(store, decisionsByPurpose);
  const resumedAt = runner.position();
  console.log(
    `\nProjection ${decisionsByPurpose.name}: ${resumedAt === undefined ? 'no checkpoint yet, folding $all from the start' : `resumed from its checkpoint at position ${resumedAt}`}.`,
  );
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
    const ledger = await runQuickstart(store, { subjectId, recipientId });
    await printSubject(ledger, { subjectId });
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
