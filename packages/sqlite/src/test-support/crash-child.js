// The writer of the crash test, run as plain node so the test can SIGKILL it mid-append.
// It loads the compiled packages (crash.test.ts builds them first) and appends only
// through the EventStore port, as the ledger does: read the stream's head, seal a batch
// of events chained to it, append with the head's revision expected.
//
// usage: node crash-child.js <database path> [grouped]
// `grouped`: each round makes one append per stream in the same turn of the event loop, so
// the store writes them as one group; they share the round's correlationId, so the test can
// tell a whole group from part of one.
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
  if (process.argv[3] === 'grouped') return appendInGroups(store, heads);
  for (let n = 0; ; n++) {
    const stream = STREAMS[n % STREAMS.length];
    const size = 2 + (n % 4);
    await appendBatch(store, heads, stream, randomUUID(), size, size);
  }
}

// Seals `size` events chained to the stream's head, tagged `${batch}:${total}`, appends them and acks them.
async function appendBatch(store, heads, stream, batch, size, total) {
  const { revision, hash } = heads.get(stream);
  const toAppend = [];
  let prevHash = hash;
  for (let i = 0; i < size; i++) {
    const sealed = seal(stream, batch, total, prevHash);
    toAppend.push(sealed.toAppend);
    prevHash = sealed.event.hash;
  }
  const { nextRevision } = await store.append(stream, toAppend, revision);
  heads.set(stream, { revision: nextRevision, hash: prevHash });
  process.stdout.write(`ack ${toAppend.map((e) => e.id).join(',')}\n`);
}

async function appendInGroups(store, heads) {
  for (let n = 0; ; n++) {
    const round = randomUUID();
    const sizes = STREAMS.map((_, s) => 1 + ((n + s) % 3));
    const total = sizes.reduce((sum, size) => sum + size, 0);
    await Promise.all(STREAMS.map((stream, s) => appendBatch(store, heads, stream, round, sizes[s], total)));
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
