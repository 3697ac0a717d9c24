/**
 * Transparency log figures, on the in-memory stores:
 *
 *   pnpm bench:transparency        (= tsc -b && node bench/dist/transparency.bench.js)
 *   N=50000 USES=5000 BIG=1000000 pnpm bench:transparency     (a quick run; BIG=0 skips item 4)
 *   ONLY=verify (items 1 and 3) or ONLY=use (item 2): one part alone, e.g. to profile it; RUNS=9: more runs for the medians
 *
 * 1. Verify over N events (default 1,000,000; ~600 B each, N/10 streams): audit.verify()
 *    (the chains alone) and audit.verify({ checkpoint, publicKey }) (chains and the log's
 *    Merkle tree against a signed checkpoint, in one read of the log), each against raw
 *    SHA-256 over the same record bytes in the same run, on one thread and on two, printed as
 *    ratios of times (goal: at least 500,000 events/s, beyond what one core hashes: verify
 *    takes the digests on worker threads, see PARALLELISM).
 * 2. ledger.use throughput with and without a checkpointer signing every 1,000 events into
 *    a folder (goal: at most 5% slower), runs alternating, median of 3: once with a use loop
 *    that never lets the event loop turn (the whole catch-up at the end) and once with one
 *    that turns every 100 uses (the checkpointer following as in a service; see Loop).
 * 3. Inclusion proofs for random events of the N-event log, by event id, once the tree is
 *    built (goal: at most 10 ms each), and the memory the tree's index takes per event.
 * 4. audit.verify({ checkpoint }) over BIG events (default 10,000,000; BIG/10 streams), in a
 *    child process: seconds and peak RSS (goal: at most 2 minutes and 500 MB). No store
 *    holds that log: transparency-big.ts generates its records as they are read (sealed,
 *    chained), and the time to generate them alone is printed beside it.
 */
import { execFileSync } from 'node:child_process';
import { hash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  buildLogTree,
  createCheckpointer,
  formatCheckpoint,
  createFolderPublisher,
  createLedger,
  createPemSigner,
  definePolicy,
  events,
  generateSignerKey,
  GENESIS_HASH,
  signNote,
  InMemoryEventStore,
  InMemoryKeyStore,
  PARALLELISM,
  subjectStream,
  verifyInclusion,
  type Actor,
  type Ledger,
} from '@custodian/core';

const N = Number(process.env.N ?? 1_000_000);
const PER_STREAM = 10;
const USES = Number(process.env.USES ?? 100_000);
const BIG = Number(process.env.BIG ?? 10_000_000);
const USE_SUBJECTS = Math.max(1, Math.min(10_000, Math.floor(USES / 10)));
const PROOFS = 1_000;
const ONLY = process.env.ONLY;
const RUNS = Number(process.env.RUNS ?? 3);
const ORIGIN = 'bench.example/ledger';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
  },
});
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** N sealed, chained DataUsed records (the ledger's own format), round-robin over N/10 streams, bypassing the decider for speed. */
async function fill(store: InMemoryEventStore): Promise<{ averageBytes: number; ids: string[] }> {
  let bytes = 0;
  const streams = Math.max(1, Math.floor(N / PER_STREAM));
  const heads = new Map<number, string>();
  const ids: string[] = [];
  const at = new Date().toISOString();
  for (let n = 0; n < N; n++) {
    const s = n % streams;
    const revision = Math.floor(n / streams);
    const subjectId = `s-${s}`;
    const id = randomUUID();
    const { toAppend, event } = events.seal(
      {
        id,
        type: 'DataUsed',
        schemaVersion: 1,
        stream: subjectStream(subjectId),
        subjectId,
        occurredAt: at,
        recordedAt: at,
        actor: campaigns,
        data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring-sale', basis: { legalBasis: 'consent', consentEventId: randomUUID() } },
      },
      heads.get(s) ?? GENESIS_HASH,
    );
    heads.set(s, event.hash);
    ids.push(id);
    bytes += toAppend.data.byteLength;
    await store.append(subjectStream(subjectId), [toAppend], revision === 0 ? 'no_stream' : BigInt(revision - 1));
  }
  return { averageBytes: bytes / N, ids };
}

/** A signed checkpoint of the whole log and the key that opens it, as an outsider holds them. */
async function checkpointOf(size: number, root: Uint8Array): Promise<{ note: string; verifierKey: string }> {
  const signer = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);
  return { note: await signNote(formatCheckpoint({ origin: ORIGIN, size, root }), [signer]), verifierKey: signer.verifierKey };
}

/** Hashes the records at `ends` (where each one ends in `shared`) from `from` to `to`, one one-shot SHA-256 each, on a worker thread. */
const RAW_WORKER = `
const { hash } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const bytes = Buffer.from(workerData.shared);
const ends = new Float64Array(workerData.ends);
parentPort.on('message', ({ from, to }) => {
  for (let i = from; i < to; i++) hash('sha256', bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]), 'binary');
  parentPort.postMessage(to - from);
});`;

/**
 * Raw SHA-256 over the same records on `threads` threads at once: the ceiling of any verify
 * that spreads its digests over that many cores. The records are packed into shared memory
 * first (not timed); only the hashing is.
 */
async function rawOnThreads(store: InMemoryEventStore, threads: number): Promise<{ ms: number; close: () => Promise<void>; run: () => Promise<number> }> {
  let total = 0;
  for await (const record of store.readAll()) total += record.data.byteLength;
  const shared = new SharedArrayBuffer(total);
  const ends = new SharedArrayBuffer(N * 8);
  const bytes = Buffer.from(shared);
  const endAt = new Float64Array(ends);
  let at = 0;
  let i = 0;
  for await (const record of store.readAll()) {
    bytes.set(record.data, at);
    at += record.data.byteLength;
    endAt[i++] = at;
  }
  const workers = Array.from({ length: threads }, () => new Worker(RAW_WORKER, { eval: true, workerData: { shared, ends } }));
  const once = (worker: Worker, from: number, to: number) =>
    new Promise<number>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ from, to });
    });
  const run = async () => {
    const started = performance.now();
    const share = Math.ceil(N / threads);
    await Promise.all(workers.map((worker, k) => once(worker, k * share, Math.min(N, (k + 1) * share))));
    return performance.now() - started;
  };
  // A first pass warms the workers up.
  await run();
  return { ms: 0, run, close: async () => void (await Promise.all(workers.map((worker) => worker.terminate()))) };
}

async function verifyFigures(store: InMemoryEventStore, ids: readonly string[]): Promise<void> {
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  let started = performance.now();
  const log = await buildLogTree(store);
  const treeMs = performance.now() - started;
  if (log.size !== N) throw new Error(`the tree holds ${log.size} leaves, not ${N}`);
  const { note, verifierKey } = await checkpointOf(N, log.tree.root());
  const sha: number[] = [];
  const sha2: number[] = [];
  const chain: number[] = [];
  const checked: number[] = [];
  const twoThreads = await rawOnThreads(store, 2);
  for (let run = 0; run < RUNS; run++) {
    sha2.push(await twoThreads.run());
    started = performance.now();
    let count = 0;
    // The cheapest one-shot SHA-256 Node has: a digest returned as a Buffer costs more than one as a string.
    for await (const record of store.readAll()) {
      hash('sha256', record.data, 'binary');
      count++;
    }
    sha.push(performance.now() - started);
    if (count !== N) throw new Error(`read ${count} events, not ${N}`);

    started = performance.now();
    const result = await ledger.audit.verify();
    chain.push(performance.now() - started);
    if (!result.ok || result.checked !== N) throw new Error(`verify failed: ${JSON.stringify({ ok: result.ok, checked: result.checked })}`);

    started = performance.now();
    const against = await ledger.audit.verify({ checkpoint: note, publicKey: verifierKey });
    checked.push(performance.now() - started);
    if (!against.ok || against.checkpoint?.matches !== true) throw new Error(`verify with the checkpoint failed: ${JSON.stringify(against.checkpoint)}`);
    const [s, s2, c, t] = [sha[run], sha2[run], chain[run], checked[run]] as [number, number, number, number];
    console.log(
      `run ${run + 1}: raw SHA-256 ${rate(N, s)}/s (2 threads: ${rate(N, s2)}/s); verify, chains ${rate(N, c)}/s (${(c / s).toFixed(2)}x); verify with the checkpoint ${rate(N, t)}/s (${(t / s).toFixed(2)}x)`,
    );
  }
  await twoThreads.close();
  const [s, s2, c, t] = [median(sha), median(sha2), median(chain), median(checked)];
  console.log(
    `median, events/s: raw SHA-256 over the records ${rate(N, s)} on one thread (the fastest loop: one-shot hash per record while reading readAll), ${rate(N, s2)} on 2 threads (records packed in shared memory beforehand); audit.verify() chains only ${rate(N, c)} (${(c / s).toFixed(2)}x the time of raw SHA-256)`,
  );
  console.log(
    `audit.verify({ checkpoint, publicKey }), chains + tree in one read, digests on ${PARALLELISM.workers} worker thread(s) from its first batch (the shared pool runs already: the chains-only verify before it started it; a verify with none running starts one past ${PARALLELISM.from.toLocaleString('en-US')} events): ${rate(N, t)} events/s (goal: at least 500,000), ${(t / s).toFixed(2)}x the time of one-thread raw SHA-256 over the same bytes, ${(t / s2).toFixed(2)}x that of 2-thread raw SHA-256`,
  );
  console.log(`the log tree with its index for proofs (buildLogTree, once): ${rate(N, treeMs)} events/s\n`);

  const size = log.size;
  const times: number[] = [];
  for (let i = 0; i < PROOFS; i++) {
    const id = ids[Math.floor(Math.random() * ids.length)] as string;
    const started = performance.now();
    const index = log.indexOf(id) as number;
    const proof = log.tree.inclusionProof(index, size);
    times.push(performance.now() - started);
    if (i < 10 && !verifyInclusion(log.tree.leafHashAt(index), index, size, proof, log.tree.root()).ok) throw new Error('a proof does not verify');
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)] as number;
  console.log(
    `inclusion proof by event id, ${PROOFS.toLocaleString('en-US')} random events of ${size.toLocaleString('en-US')}: median ${median(times).toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${(sorted[sorted.length - 1] as number).toFixed(3)} ms (goal: at most 10 ms)`,
  );
  const index = log.tree.memoryBytes();
  console.log(
    `tree index: ${mb(index)} = ${(index / size).toFixed(1)} bytes per event (leaf hashes, cached nodes, compact range; the log tree's id map and leaf records come on top)\n`,
  );
}

async function seededLedger(): Promise<{ ledger: Ledger; store: InMemoryEventStore; subjects: string[] }> {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  const subjects = Array.from({ length: USE_SUBJECTS }, (_, i) => `cust-${i}`);
  for (const subjectId of subjects) {
    await ledger.collect({
      subjectId,
      actor: { id: 'checkout', kind: 'service', roles: ['marketing'] },
      source: 'checkout-form',
      purposes: ['marketing.email'],
      notice,
      data: { 'contact.email': `${subjectId}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
  }
  return { ledger, store, subjects };
}

/**
 * CPU milliseconds of this thread alone, where Linux tells (/proc/self/task/<pid>/stat: the
 * main thread's tid is the pid); the process's otherwise. On a machine shared with other
 * jobs the wall-clock rate swings with their load, while the service thread's CPU per use is
 * what a checkpointer (its reads, its signing, its publishing) adds to the service's work.
 */
function threadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
}

/**
 * How a run's use loop lets the event loop turn: `never` (on the in-memory store ledger.use
 * resolves in microtasks, so no timer runs and the checkpointer's whole catch-up lands in the
 * final checkpointNow), or `turning` (every 100 uses, as a service's loop turns between
 * requests; the checkpointer reads every 20 ms, so it follows the log and signs every one
 * or two thousand events, near the goal's every 1,000). Both runs of a pair turn alike.
 */
type Loop = 'never' | 'turning';
const TURN_EVERY = 100;

async function useRun(checkpointing: boolean, loop: Loop): Promise<{ ms: number; cpuMs: number; checkpoints: number }> {
  const { ledger, store, subjects } = await seededLedger();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-checkpoints-'));
  const signer = createPemSigner(generateSignerKey(ORIGIN).pem, ORIGIN);
  let checkpoints = 0;
  const publisher = createFolderPublisher(folder);
  const checkpointer = checkpointing
    ? createCheckpointer({
        store,
        signer,
        origin: ORIGIN,
        every: 1_000,
        ...(loop === 'turning' && { pollMs: 20 }),
        publisher: { latest: (origin) => publisher.latest(origin), publish: async (note, checkpoint) => (await publisher.publish(note, checkpoint), void checkpoints++) },
        onError: (error) => console.error(error),
      })
    : undefined;
  try {
    await checkpointer?.start();
    const started = performance.now();
    const cpuStarted = threadCpuMs();
    for (let i = 0; i < USES; i++) {
      await ledger.use({
        subjectId: subjects[i % subjects.length] as string,
        actor: campaigns,
        purpose: 'marketing.email',
        categories: ['contact.email'],
        activity: 'campaign:spring-sale',
      });
      if (loop === 'turning' && i % TURN_EVERY === TURN_EVERY - 1) await new Promise((turned) => setImmediate(turned));
    }
    // The checkpointer follows on its own (where the loop turns): the run ends once it has caught up.
    await checkpointer?.checkpointNow();
    return { ms: performance.now() - started, cpuMs: threadCpuMs() - cpuStarted, checkpoints };
  } finally {
    await checkpointer?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function checkpointingFigures(loop: Loop): Promise<void> {
  const without: number[] = [];
  const withCheckpoints: number[] = [];
  const cpuWithout: number[] = [];
  const cpuWith: number[] = [];
  const perUse = (ms: number) => `${((ms * 1000) / USES).toFixed(1)} µs`;
  for (let run = 0; run < RUNS; run++) {
    const plain = await useRun(false, loop);
    const checked = await useRun(true, loop);
    without.push(plain.ms);
    withCheckpoints.push(checked.ms);
    cpuWithout.push(plain.cpuMs);
    cpuWith.push(checked.cpuMs);
    console.log(
      `${loop === 'never' ? 'loop never turning' : `loop turning every ${TURN_EVERY} uses`}, run ${run + 1}: ledger.use ${rate(USES, plain.ms)}/s without a checkpointer; ${rate(USES, checked.ms)}/s with one (${checked.checkpoints} checkpoints signed and written); the service thread's CPU per use ${perUse(plain.cpuMs)} without, ${perUse(checked.cpuMs)} with`,
    );
  }
  const [a, b] = [median(without), median(withCheckpoints)];
  console.log(
    `median ledger.use (loop ${loop}): ${rate(USES, a)}/s without, ${rate(USES, b)}/s checkpointing every 1,000 events: ${(((b - a) / a) * 100).toFixed(1)}% slower (goal: at most 5%)`,
  );
  const [ca, cb] = [median(cpuWithout), median(cpuWith)];
  console.log(
    `median CPU of the service thread per ledger.use (loop ${loop}): ${perUse(ca)} without, ${perUse(cb)} checkpointing: ${(((cb - ca) / ca) * 100).toFixed(1)}% more (the leaves are hashed on a worker thread, not counted here)`,
  );
}

async function main(): Promise<void> {
  console.log(
    `Node ${process.version}; ${N.toLocaleString('en-US')} events over ${Math.max(1, Math.floor(N / PER_STREAM)).toLocaleString('en-US')} streams; ${USES.toLocaleString('en-US')} uses\n`,
  );
  if (ONLY === undefined || ONLY === 'verify') {
    const store = new InMemoryEventStore();
    const started = performance.now();
    const { averageBytes, ids } = await fill(store);
    console.log(`filled in ${((performance.now() - started) / 1000).toFixed(1)} s; average record ${averageBytes.toFixed(0)} bytes\n`);
    await verifyFigures(store, ids);
  }
  if (ONLY === undefined || ONLY === 'use') for (const loop of ['never', 'turning'] as const) await checkpointingFigures(loop);
  if (ONLY === undefined && BIG > 0) await bigVerifyFigures();
}

/** Runs transparency-big.js in a child process and returns what it prints. */
function child(mode: string, env: Record<string, string> = {}): { ms: number; count: number; maxRssMB: number; root?: string; ok?: boolean; matches?: boolean } {
  const script = path.join(__dirname, 'transparency-big.js');
  const out = execFileSync(process.execPath, [script, mode], { env: { ...process.env, BIG: String(BIG), ...env }, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop() as string) as ReturnType<typeof child>;
}

async function bigVerifyFigures(): Promise<void> {
  const root = child('root');
  const { note, verifierKey } = await checkpointOf(BIG, Buffer.from(root.root as string, 'hex'));
  const read = child('read');
  const verified = child('verify', { CHECKPOINT: note, PUBLIC_KEY: verifierKey });
  if (verified.ok !== true || verified.matches !== true || verified.count !== BIG) throw new Error(`the large verify failed: ${JSON.stringify(verified)}`);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\naudit.verify({ checkpoint }) over ${BIG.toLocaleString('en-US')} events, ${Math.max(1, Math.floor(BIG / PER_STREAM)).toLocaleString('en-US')} streams, in a child process: ${seconds(verified.ms)}, peak RSS ${verified.maxRssMB.toFixed(0)} MB (goal: at most 2 minutes and 500 MB)`,
  );
  console.log(
    `  of which generating the records as they are read: ${seconds(read.ms)} (peak RSS ${read.maxRssMB.toFixed(0)} MB reading alone), so the verify itself: ${seconds(verified.ms - read.ms)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
