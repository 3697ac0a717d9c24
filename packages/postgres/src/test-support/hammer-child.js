// Another instance of a service, for the many-instances test: it hammers one
// subject with concurrent uses, through a ledger of its own on the same PostgreSQL database,
// while the test's process withdraws the subject's consent. Plain node, loading the compiled
// packages (the test builds them first).
//
// usage: node hammer-child.js <database URL>
// stdin:  `hammer <subjectId> <count>` starts <count> uses of the subject at once.
// stdout: `ready`, then per subject `started <subjectId>` once 20 uses were decided and
//         `done <subjectId> <JSON of the counts and the codes of any failed use>`.
'use strict';
const { createInterface } = require('node:readline');
const { createLedger, definePolicy, InMemoryKeyStore } = require('@custodian/core');
const { createPostgresEventStore } = require('../../dist/index.js');

// The policy of @custodian/testing's conformance suites, so both processes record the same one.
const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], suspendRecipient: ['privacy'], erase: ['privacy'] },
});
const marketer = { id: 'campaigns', kind: 'service', roles: ['marketing'] };

let store;
let ledger;

async function hammer(subjectId, count) {
  const counts = { allowed: 0, denied: 0, failed: [] };
  let decided = 0;
  const uses = Array.from({ length: count }, (_, n) =>
    ledger
      .use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: `hammer-${n}` })
      .then(
        (decision) => (decision.allowed ? counts.allowed++ : counts.denied++),
        (error) => counts.failed.push(error && error.code ? error.code : String(error)),
      )
      .then(() => {
        if (++decided === 20) process.stdout.write(`started ${subjectId}\n`);
      }),
  );
  await Promise.all(uses);
  process.stdout.write(`done ${subjectId} ${JSON.stringify(counts)}\n`);
}

async function main() {
  store = await createPostgresEventStore({ connectionString: process.argv[2] });
  // Several instances each firing a hundred uses at one subject at once is contention far past
  // a real service's: a decision's default ten attempts can run out, which is the ledger's
  // documented answer and not what the test is about, so this instance is given more.
  ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, maxAttempts: 1000 });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, subjectId, count] = line.split(' ');
    if (command === 'hammer') hammer(subjectId, Number(count)).catch(fail);
  });
  lines.on('close', () => store.close().catch(fail));
  process.stdout.write('ready\n');
}

function fail(error) {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
}

main().catch(fail);
