// Privacy and integrity figures on the in-memory store:
//   audit.verify() over 1,000,000 events (goal: at least 500,000 events/s), chain only and
//   against a signed checkpoint (chain and tree in one pass), with the ratio to raw SHA-256
//   over the same bytes, and
//   collect with two encrypted values (AES-256-GCM under the subject's key), operations/s.
// Run: npx pnpm bench:audit
import { hash, randomUUID } from 'node:crypto';
import {
  buildLogTree,
  createLedger,
  createPemSigner,
  definePolicy,
  events,
  formatCheckpoint,
  generateSignerKey,
  GENESIS_HASH,
  InMemoryEventStore,
  InMemoryKeyStore,
  signNote,
  subjectStream,
  type Actor,
} from '@custodian/core';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const PER_STREAM = 10;
const COLLECTS = Number(process.env.COLLECTS ?? 20_000);

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
const actor: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');

/** Fills a store with sealed, chained DataUsed events (the ledger's own record format), bypassing the decider for speed. */
async function fill(store: InMemoryEventStore): Promise<number> {
  let bytes = 0;
  const streams = EVENTS / PER_STREAM;
  const heads = new Map<number, string>();
  const at = new Date();
  for (let n = 0; n < EVENTS; n++) {
    const s = n % streams;
    const revision = Math.floor(n / streams);
    const subjectId = `s-${s}`;
    const data = {
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: 'campaign:spring-sale',
      basis: { legalBasis: 'consent' as const, consentEventId: randomUUID() },
    };
    const place = { stream: subjectStream(subjectId), subjectId, actor, now: at, id: randomUUID() };
    const { toAppend, event } = events.seal(events.envelope({ type: 'DataUsed', data }, place), heads.get(s) ?? GENESIS_HASH);
    heads.set(s, event.hash);
    bytes += toAppend.data.byteLength;
    await store.append(subjectStream(subjectId), [toAppend], revision === 0 ? 'no_stream' : BigInt(revision - 1));
  }
  return bytes / EVENTS;
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}; ${EVENTS.toLocaleString('en-US')} events over ${(EVENTS / PER_STREAM).toLocaleString('en-US')} streams\n`);
  const store = new InMemoryEventStore();
  let started = performance.now();
  const averageBytes = await fill(store);
  console.log(`filled in ${((performance.now() - started) / 1000).toFixed(1)} s; average record ${averageBytes.toFixed(0)} bytes`);

  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    started = performance.now();
    const result = await ledger.audit.verify();
    const ms = performance.now() - started;
    if (!result.ok || result.checked !== EVENTS) throw new Error(`verify failed: ${JSON.stringify({ ok: result.ok, checked: result.checked })}`);
    runs.push(ms);
    console.log(`audit.verify() run ${run + 1}: ${result.checked.toLocaleString('en-US')} events in ${(ms / 1000).toFixed(2)} s = ${rate(result.checked, ms)} events/s`);
  }
  const median = [...runs].sort((a, b) => a - b)[1] as number;
  console.log(`audit.verify() median: ${rate(EVENTS, median)} events/s (goal: at least 500,000)\n`);

  // What an auditor holding a checkpoint runs: the chain check and the log's root in one pass.
  const key = generateSignerKey('bench.example/ledger');
  const log = await buildLogTree(store);
  const checkpoint = await signNote(formatCheckpoint({ origin: 'bench.example/ledger', size: log.size, root: log.tree.root() }), [
    createPemSigner(key.pem, 'bench.example/ledger'),
  ]);
  const withCheckpoint: number[] = [];
  for (let run = 0; run < 3; run++) {
    started = performance.now();
    const result = await ledger.audit.verify({ checkpoint, publicKey: key.verifierKey });
    const ms = performance.now() - started;
    if (!result.ok || result.checkpoint?.matches !== true)
      throw new Error(`verify with a checkpoint failed: ${JSON.stringify({ ok: result.ok, established: result.checkpoint?.established })}`);
    withCheckpoint.push(ms);
    console.log(`audit.verify({ checkpoint }) run ${run + 1}: ${rate(result.checked, ms)} events/s`);
  }
  const checkpointMedian = [...withCheckpoint].sort((a, b) => a - b)[1] as number;
  started = performance.now();
  for await (const record of store.readAll()) hash('sha256', record.data);
  const rawMs = performance.now() - started;
  console.log(`audit.verify({ checkpoint }) median: ${rate(EVENTS, checkpointMedian)} events/s (goal: at least 500,000)`);
  console.log(`readAll and raw SHA-256 over the same bytes: ${rate(EVENTS, rawMs)} events/s; verify with a checkpoint takes ${(checkpointMedian / rawMs).toFixed(2)}x as long\n`);

  const fresh = createLedger({ store: new InMemoryEventStore(), keys: new InMemoryKeyStore(), policy });
  const collect = (i: number) =>
    fresh.collect({
      subjectId: `c-${i}`,
      actor: { id: 'checkout', kind: 'service', roles: ['fulfilment'] },
      source: 'checkout-form',
      purposes: ['order.fulfilment'],
      notice: { id: 'privacy-notice', version: 'v3' },
      data: { 'contact.email': `customer${i}@example.com`, 'contact.address': `${i} Hauptstrasse, 10115 Berlin` },
    });
  for (let i = 0; i < 2_000; i++) await collect(-1 - i);
  started = performance.now();
  for (let i = 0; i < COLLECTS; i++) await collect(i);
  const ms = performance.now() - started;
  console.log(`collect with two encrypted values: ${COLLECTS.toLocaleString('en-US')} operations in ${(ms / 1000).toFixed(2)} s = ${rate(COLLECTS, ms)} operations/s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
