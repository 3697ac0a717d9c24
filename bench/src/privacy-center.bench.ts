// Her page under load (issue 14): the node:http privacy center on a SQLite ledger of
// CUSTOMERS customers with EVENTS events each in their own stream, her page asked for by
// CONNECTIONS concurrent connections for SECONDS seconds with autocannon, each request as a
// random one of SIGNED_IN customers (her session cookie, from her signed link). Beside it,
// in the same run and with the same load, a bare node:http hello-world: the ceiling of this
// machine's HTTP stack. Each server runs in processes of its own, so the load generator
// does not take the server's CPU: WORKERS node:cluster workers each (default 1; a service
// runs one a core), on one SQLite file. Goal: p99 <= 50 ms and >= 1,000 pages/s, 0 errors.
// Run: npx pnpm bench:privacy-center    (CUSTOMERS=10000 EVENTS=50 CONNECTIONS=50 SECONDS=10 SIGNED_IN=1000 WORKERS=1 PROFILE_DIR=)
import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import {
  createCheckpointer,
  createInMemoryPublisher,
  createLedger,
  createPemSigner,
  definePolicy,
  generateSignerKey,
  InMemoryEventStore,
  InMemoryKeyStore,
  type Actor,
  type EventStore,
} from '@custodian/core';
import { createPrivacyCenter, nodeListener } from '@custodian/privacy-center';
import { createSqliteEventStore } from '@custodian/sqlite';
import { reportFigure } from './figures';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 10_000);
const EVENTS = Number(process.env.EVENTS ?? 50);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 10);
const SIGNED_IN = Math.min(CUSTOMERS, Number(process.env.SIGNED_IN ?? 1_000));
const WORKERS = Number(process.env.WORKERS ?? 1);
const SECRET = 'a benchmark secret of at least thirty-two bytes';
const GOAL_P99_MS = 50;
const GOAL_RPS = 1_000;
const AGENCIES = 20;
const ORIGIN = 'shop.example/ledger';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y', description: 'Offers by email' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y', description: 'Delivering orders' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'] },
});
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment', 'marketing'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const subjectOf = (i: number) => `cust-${i}`;

/** The ledger built in memory through the public API: collected, consented, shared with an agency, then used until EVENTS events. */
async function buildInMemory(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  for (let a = 0; a < AGENCIES; a++) {
    await ledger.registerRecipient({ recipientId: `agency-${a}`, actor: dpo, name: `Agency ${a} Ltd`, agreement: `dpa-${a}`, country: 'DE' });
    await ledger.verifyRecipient({ recipientId: `agency-${a}`, actor: dpo });
  }
  for (let i = 0; i < CUSTOMERS; i++) {
    const subjectId = subjectOf(i);
    const data = { 'contact.email': `${subjectId}@example.com`, 'contact.address': `${i} Elm Street` };
    await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
    await ledger.share({ subjectId, actor: checkout, recipientId: `agency-${i % AGENCIES}`, purpose: 'order.fulfilment', categories: ['contact.address'] });
    for (let n = 3; n < EVENTS; n++) {
      const marketing = n % 2 === 0;
      await ledger.use({
        subjectId,
        actor: checkout,
        purpose: marketing ? 'marketing.email' : 'order.fulfilment',
        categories: marketing ? ['contact.email'] : ['contact.address'],
        activity: marketing ? `campaign-${n}` : `order-${i}-${n}`,
      });
    }
  }
  return store;
}

/** The same records in a SQLite file: each stream in one append, ids and payloads as they are. */
async function copyInto(from: EventStore, to: EventStore): Promise<number> {
  const streams = new Map<string, { id: string; type: string; data: Uint8Array }[]>();
  let copied = 0;
  for await (const record of from.readAll()) {
    const events = streams.get(record.stream) ?? [];
    events.push({ id: record.id, type: record.type, data: record.data });
    streams.set(record.stream, events);
    copied++;
  }
  for (const [stream, events] of streams) await to.append(stream, events, 'no_stream');
  return copied;
}

interface Ready {
  readonly port: number;
  readonly cookies?: readonly string[];
  readonly events?: number;
  readonly buildSeconds?: number;
}

/** A center on the ledger file: what each worker serves, and what the primary issues links with. */
async function centerOn(path: string) {
  const store = createSqliteEventStore({ path });
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  const key = generateSignerKey(ORIGIN);
  const checkpointer = createCheckpointer({ store, signer: createPemSigner(key.pem, ORIGIN), origin: ORIGIN, publisher: createInMemoryPublisher() });
  await checkpointer.checkpointNow();
  return { store, center: createPrivacyCenter({ ledger, secret: SECRET, notice, basePath: '/privacy', title: 'Shop', checkpointer }) };
}

/** A worker of the center: serves the file it is told of on the cluster's port. */
async function serveCenterWorker(): Promise<void> {
  const { store, center } = await centerOn(process.env.LEDGER_PATH ?? '');
  const server = createServer(nodeListener(center)).listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.once('disconnect', () => {
    server.close();
    server.closeAllConnections();
    void store.close();
  });
}

/** The center's process: builds the ledger, starts its workers, and says where and as whom to ask. */
async function serveCenter(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-pc-'));
  const path = join(dir, 'ledger.db');
  const memory = await buildInMemory();
  const built = createSqliteEventStore({ path });
  const events = await copyInto(memory, built);
  await built.close();
  const port = await freePort();
  // PROFILE_DIR=<dir> writes a V8 CPU profile of each worker there when it stops (bench/dist/profile-summary.js reads it).
  const profile = process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [];
  cluster.setupPrimary({ exec: __filename, args: ['center-worker'], execArgv: [...process.execArgv, ...profile] });
  const workers = Array.from({ length: WORKERS }, () => cluster.fork({ LEDGER_PATH: path, PORT: String(port) }));
  await Promise.all(workers.map((worker) => new Promise((listening) => worker.once('listening', listening))));
  const { store, center } = await centerOn(path);
  const cookies: string[] = [];
  for (let k = 0; k < SIGNED_IN; k++) {
    const subjectId = subjectOf(Math.floor((k * CUSTOMERS) / SIGNED_IN));
    const link = center.issueLink({ subjectId, expiresAt: new Date(Date.now() + 3_600_000) });
    const opened = await fetch(`http://127.0.0.1:${port}${link}`, { redirect: 'manual' });
    cookies.push(opened.headers.getSetCookie()[0]?.split(';')[0] ?? '');
  }
  const ready: Ready = { port, cookies, events, buildSeconds: (performance.now() - started) / 1000 };
  process.send?.(ready);
  process.once('disconnect', () => {
    for (const worker of workers) worker.disconnect();
    void store.close().finally(() => rmSync(dir, { recursive: true, force: true }));
  });
}

/** A port nobody listens on, for the cluster's workers to share. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((listening) => probe.once('listening', listening));
  const { port } = probe.address() as { port: number };
  await new Promise((closed) => probe.close(closed));
  return port;
}

/** A bare node:http server: the same stack, no work, in as many workers. */
async function serveHello(): Promise<void> {
  const port = await freePort();
  cluster.setupPrimary({ exec: __filename, args: ['hello-worker'] });
  const workers = Array.from({ length: WORKERS }, () => cluster.fork({ PORT: String(port) }));
  await Promise.all(workers.map((worker) => new Promise((listening) => worker.once('listening', listening))));
  process.send?.({ port } satisfies Ready);
  process.once('disconnect', () => {
    for (const worker of workers) worker.disconnect();
  });
}

function serveHelloWorker(): void {
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('hello world');
  }).listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.once('disconnect', () => server.close());
}

function start(role: 'center' | 'hello'): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(__filename, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as Ready }));
    child.once('exit', (code) => reject(new Error(`the ${role} server exited with ${code} before it was ready`)));
  });
}

interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requests: number;
}

async function load(url: string, cookies: readonly string[] = []): Promise<Load> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => (cookies.length === 0 ? request : { ...request, headers: { ...request.headers, cookie: cookies[next++ % cookies.length] ?? '' } }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

const line = (name: string, l: Load) =>
  `${name.padEnd(26)} ${Math.round(l.rps).toLocaleString('en-US').padStart(8)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms   max ${String(l.max).padStart(5)} ms   ${l.requests.toLocaleString('en-US')} requests, ${l.errors} errors, ${l.non2xx} not 2xx`;

async function main(): Promise<void> {
  console.log(
    `privacy center: ${CUSTOMERS.toLocaleString('en-US')} customers x ${EVENTS} events on SQLite, ${WORKERS} worker(s) a server, ${CONNECTIONS} connections, ${SECONDS} s each, ${SIGNED_IN} signed-in customers`,
  );
  const center = await start('center');
  console.log(`ledger built and served: ${center.ready.events?.toLocaleString('en-US')} events in ${center.ready.buildSeconds?.toFixed(1)} s`);
  const hello = await start('hello');
  try {
    // A short warm-up, so neither is measured with a cold JIT.
    await autocannon({ url: `http://127.0.0.1:${center.ready.port}/privacy/`, connections: 4, duration: 2, headers: { cookie: center.ready.cookies?.[0] ?? '' } });
    const page = await load(`http://127.0.0.1:${center.ready.port}/privacy/`, center.ready.cookies);
    const bare = await load(`http://127.0.0.1:${hello.ready.port}/`);
    console.log(line('her page (privacy center)', page));
    console.log(line('node:http hello-world', bare));
    console.log(`her page: ${(page.rps / bare.rps).toFixed(3)}x the hello-world's requests/s`);
    const met = page.p99 <= GOAL_P99_MS && page.rps >= GOAL_RPS && page.errors === 0 && page.non2xx === 0;
    console.log(`goal: p99 <= ${GOAL_P99_MS} ms and >= ${GOAL_RPS.toLocaleString('en-US')} pages/s with 0 errors: ${met ? 'met' : 'MISSED'}`);
    reportFigure({
      item: '14',
      what: 'privacy center page p99 / pages per s',
      measured: `${page.p99} ms / ${Math.round(page.rps)}`,
      goal: `<= ${GOAL_P99_MS} ms / >= ${GOAL_RPS}`,
      met,
    });
  } finally {
    center.child.disconnect();
    hello.child.disconnect();
  }
}

const ROLES: Record<string, () => Promise<void> | void> = {
  center: serveCenter,
  'center-worker': serveCenterWorker,
  hello: serveHello,
  'hello-worker': serveHelloWorker,
};
Promise.resolve((ROLES[process.argv[2] ?? ''] ?? main)()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
