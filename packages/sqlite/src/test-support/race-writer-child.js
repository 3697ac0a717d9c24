// One of the two writers of the write-lock test, run as plain node on the compiled
// packages (the test builds them first). Each append reads the stream's head, seals an
// event chained to it and appends it expecting the head's revision, as the ledger does,
// so two of these on one file race for every revision.
//
// usage: node race-writer-child.js <database path> <stream> <appends>
// stdin:  `go` starts the appends, so both writers start together.
// stdout: `ready`, then per append `ok <revision> <id>`, `conflict` (WrongExpectedRevisionError)
//         or `error <code> <message>` (anything else), then `done`.
'use strict';
const { createInterface } = require('node:readline');
const { events } = require('@custodian/core');
const { createSqliteEventStore } = require('../../dist/index.js');
const { streamHead } = require('./stream-head.js');

const [path, stream, appends] = process.argv.slice(2);
const actor = { id: 'svc-race-test', kind: 'service', roles: ['fulfilment'] };

function seal(prevHash) {
  const data = { purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'race-test', basis: { legalBasis: 'contract' } };
  return events.seal(events.envelope({ type: 'DataUsed', data }, { stream, subjectId: stream.slice('subject-'.length), actor, now: new Date() }), prevHash);
}

async function run(store) {
  for (let n = 0; n < Number(appends); n++) {
    const { revision, hash } = await streamHead(store, stream);
    const sealed = seal(hash);
    try {
      const { nextRevision } = await store.append(stream, [sealed.toAppend], revision);
      process.stdout.write(`ok ${nextRevision} ${sealed.event.id}\n`);
    } catch (error) {
      if (error && error.code === 'WRONG_EXPECTED_REVISION') process.stdout.write('conflict\n');
      else process.stdout.write(`error ${error && error.code} ${String(error && error.message).replace(/\n/g, ' ')}\n`);
    }
  }
  process.stdout.write('done\n');
}

const store = createSqliteEventStore({ path });
const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  run(store)
    .then(() => store.close())
    .catch((error) => {
      process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
      process.exit(1);
    })
    .finally(() => lines.close());
});
process.stdout.write('ready\n');
