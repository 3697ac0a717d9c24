// The quickstart story, kept in PostgreSQL: a retailer collects a customer's email under
// privacy notice v3, she opts in to email marketing, the campaign service uses her email,
// an agency is registered, verified and given it; she withdraws her consent and the next
// campaign use is refused. Then a second instance of the service, with a ledger of its
// own on the same database, as a service that runs several would, is refused too: it
// sees her withdrawal the moment the first one recorded it. Last, the chain is verified.
//
// Each run tells the story about a new customer and agency, so it can run again and
// again against the same database.
//
//   npx tsc -b && node examples/postgres/dist/main.js postgres://user:password@localhost:5432/ledger
//
// The URL is the first argument, or CUSTODIAN_POSTGRES_URL (default postgres://postgres@localhost:5432/postgres).
import { randomUUID } from 'node:crypto';
import { createLedger, InMemoryKeyStore, type Actor } from '@custodian/core';
import { policy, printSubject, runQuickstart } from '@custodian/example-quickstart';
import { createPostgresEventStore } from '@custodian/postgres';

const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };

/** The URL as it may be printed: without its password. */
function shown(connectionString: string): string {
  const url = new URL(connectionString);
  if (url.password === '') return url.toString();
  url.password = '';
  return `${url.toString()} (with the password put back)`;
}

async function main(): Promise<void> {
  const connectionString = process.argv[2] ?? process.env['CUSTODIAN_POSTGRES_URL'] ?? 'postgres://postgres@localhost:5432/postgres';
  // Two instances of the service, each with its own pool and ledger: the tables are made by
  // whichever opens first (the other waits for it), in the schema `custodian`.
  const [first, second] = await Promise.all([createPostgresEventStore({ connectionString }), createPostgresEventStore({ connectionString })]);
  try {
    const run = randomUUID().slice(0, 6);
    const subjectId = `cust-${run}`;
    const recipientId = `brightmail-${run}`;
    console.log(`The quickstart story on PostgreSQL (${first.location.database}): customer ${subjectId}, agency ${recipientId}.\n`);
    const ledger = await runQuickstart(first, { subjectId, recipientId });
    await printSubject(ledger, { subjectId });

    const other = createLedger({ store: second, keys: new InMemoryKeyStore(), policy });
    const again = await other.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:autumn-sale' });
    console.log(`\nThe second instance's autumn campaign tries to use her email: ${again.allowed ? 'allowed' : `refused: ${again.reason}`}`);

    const verified = await other.audit.verify();
    console.log(`\n${verified.ok ? 'Chain intact' : 'Chain BROKEN'}: ${verified.checked} events checked, ${verified.broken.length} broken links.`);
    console.log(`The ledger is in schema "${first.location.schema}"; check it with: custodian verify --postgres ${shown(connectionString)}`);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
