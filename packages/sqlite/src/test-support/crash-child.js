// The writer of the crash test, run as plain node so the test can SIGKILL it mid-append.
// It loads the compiled packages (crash.test.ts builds them first) and appends only
// through the EventStore port, as the ledger does: read the stream's head, seal a batch
// of events chained to it, append with the head's revision expected.
//
// usage: node crash-child.js <database path>
// stdout: `opening` once the modules are loaded, `ready` once the file is open, then one
// `ack <id>,<id>,…` line per append, written only after the append resolved. A line is far
// below PIPE_BUF and stdout on a Linux pipe is written synchronously, so a kill can cut
// the loop anywhere but can never leave a false ack.
'use strict';
const { randomUUID } = require('node:crypto');
const { events } = require('@custodian/core');
const { createSqliteEventStore } = require('../../dist/index.js');
const { streamHead } = require('./stream-head.js');

const STREAMS = ['subject-crash-a', 'subject-crash-b', 'subject-crash-c', 'subject-crash-d'];
const actor = { id: 'svc-crash-test', kind: 'service', roles: ['fulfilment'] };

// correlationId names the batch and its size, so the test can tell a whole batch from part of one.
function seal(stream, batch, size, prevHash) {
  const data = { purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'crash-test', basis: { legalBasis: 'contract' } };
  const place = { stream, subjectId: stream.slice('subject-'.length), actor, now: new Date(), correlationId: `${batch}:${size}` };
  return events.seal(events.envelope({ type: 'DataUsed', data }, place), prevHash);
}

async function main() {
  process.stdout.write('opening\n');
  const store = createSqliteEventStore({ path: process.argv[2] });
  const heads = new Map();
  for (const stream of STREAMS) heads.set(stream, await streamHead(store, stream));
  process.stdout.write('ready\n');
  for (let n = 0; ; n++) {
    const stream = STREAMS[n % STREAMS.length];
    const { revision, hash } = heads.get(stream);
    const size = 2 + (n % 4);
    const batch = randomUUID();
    const toAppend = [];
    let prevHash = hash;
    for (let i = 0; i < size; i++) {
      const sealed = seal(stream, batch, size, prevHash);
      toAppend.push(sealed.toAppend);
      prevHash = sealed.event.hash;
    }
    const { nextRevision } = await store.append(stream, toAppend, revision);
    heads.set(stream, { revision: nextRevision, hash: prevHash });
    process.stdout.write(`ack ${toAppend.map((e) => e.id).join(',')}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
