/**
 * The figures of docs/scaling.md, computed: what partitioning the ledger and serving its
 * transparency log as C2SP tlog-tiles would take for 100 million customers and a billion
 * events. Inputs are either figures measured on these machines (named with their source)
 * or assumptions (named as such); everything else is computed or simulated here.
 *
 *   pnpm bench:scale-model          (= tsc -b && node bench/dist/scale-model.js)
 *   SUBJECTS=1000000 pnpm bench:scale-model     (a quicker routing simulation)
 *
 * Every figure is deterministic (seeded) except the fsync latency, measured on this disk.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  activities,
  addPartition,
  bucketsMoved,
  bucketsOf,
  consistencyRequests,
  HASH_BYTES,
  hotRecipient,
  inclusionRequests,
  initialBucketMap,
  movedByModulo,
  partitionLoads,
  seeded,
  skewOf,
  subjectHashes,
  TILE_WIDTH,
  tileCounts,
  tileWrites,
} from './scale';

/** Measured on these machines (2 cores, Node 20); the source of each is named in docs/scaling.md. */
const MEASURED = {
  recordBytes: 626, // bench:transparency's records, mean stored size
  treeIndexBytesPerEvent: 37.7, // bench:transparency, the in-process tree index
  sqliteCommandsPerSecond: 2_400, // issue 16, low end of 2,400–4,400: one fsync'd transaction per command
  pgInsertOneRowPerSecond: 3_115, // REFERENCES.md, raw pg INSERT one row a statement
  pgInsertBatchedPerSecond: 52_677, // REFERENCES.md, raw pg INSERT in 100-row batches
  emmettPgConcurrentPerSecond: 3_437, // REFERENCES.md, Emmett-postgresql append, 8 concurrent
  decisionsPerSecondInMemory: 64_700, // issue 16, ledger.use in-memory at 19,000 customers, one core
  verifyChainAndTreePerSecond: 68_814, // closing note of issue 11, audit.verify() chain + tree, one core
};

/** Assumptions: the load the ledger is sized for. */
const WORKLOAD = {
  customers: 100_000_000,
  campaignHours: 1, // a campaign checks every customer once in this long: the peak write rate
  eventsPerCustomerPerYear: 50, // consents, uses, shares, requests: the mean rate
  agencyShareOfShares: 0.9, // as in issue 16's ledger: 90,000 of 100,000 customers shared to one agency
  otherRecipients: 999,
  buckets: 4_096,
  utilisation: 0.5, // size each partition to run at half its measured rate at the peak
  checkpointSeconds: 10,
};

/** Assumed list prices (USD), as known to the author in 2025 and not re-checked on 2026-12-01. Check before use. */
const PRICES = {
  s3: { storageGiBMonth: 0.023, putPer1000: 0.005, getPer1000: 0.0004, egressGiB: 0.09 },
  r2: { storageGiBMonth: 0.015, putPer1000: 0.0045, getPer1000: 0.00036, egressGiB: 0 },
  blockStorageGiBMonth: 0.08, // a gp3-class network disk
};

const SUBJECTS = Number(process.env.SUBJECTS ?? 10_000_000);
const PROOFS = Number(process.env.PROOFS ?? 100_000);
const RANDOM_CONSISTENCY_PROOFS = 10_000;
const SIZES = [1e6, 1e7, 1e8, 1e9];
const GiB = 2 ** 30;
const SECONDS_PER_YEAR = 365 * 24 * 3600;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const dec = (n: number, digits = 2) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (n: number) => `$${dec(n)}`;
const gib = (bytes: number) => (bytes < GiB ? `${dec(bytes / 2 ** 20, 1)} MiB` : `${dec(bytes / GiB, 1)} GiB`);
const row = (cells: (string | number)[], widths: number[]) => cells.map((cell, i) => String(cell).padStart(widths[i] ?? 12)).join(' ');

const peakPerSecond = WORKLOAD.customers / (WORKLOAD.campaignHours * 3600);
const meanPerSecond = (WORKLOAD.customers * WORKLOAD.eventsPerCustomerPerYear) / SECONDS_PER_YEAR;

function printWorkload(): void {
  console.log('== workload (assumed) ==');
  console.log(`customers ${int(WORKLOAD.customers)}; campaign peak ${int(peakPerSecond)} events/s (every customer once in ${WORKLOAD.campaignHours} h)`);
  console.log(
    `mean ${int(meanPerSecond)} events/s (${WORKLOAD.eventsPerCustomerPerYear} events a customer a year = ${int(WORKLOAD.customers * WORKLOAD.eventsPerCustomerPerYear)} a year); ` +
      `1e9 events after ${dec(1e9 / meanPerSecond / 86_400, 0)} days`,
  );
  console.log(
    `deciding the peak in memory: ${dec(peakPerSecond / MEASURED.decisionsPerSecondInMemory)} cores at the measured ${int(MEASURED.decisionsPerSecondInMemory)} decisions/s a core\n`,
  );
}

function printPartitionsNeeded(): void {
  console.log('== partitions for the peak (measured per-partition write rates, run at 50%) ==');
  const widths = [44, 14, 12, 18];
  console.log(row(['one partition is', 'events/s', 'partitions', 'events/s each'], widths));
  const stores: [string, number][] = [
    ['SQLite, one fsync per command (today)', MEASURED.sqliteCommandsPerSecond],
    ['PostgreSQL, Emmett append, 8 concurrent', MEASURED.emmettPgConcurrentPerSecond],
    ['PostgreSQL, raw INSERT, one row', MEASURED.pgInsertOneRowPerSecond],
    ['PostgreSQL, raw INSERT, 100-row batches', MEASURED.pgInsertBatchedPerSecond],
  ];
  for (const [label, rate] of stores) {
    const partitions = Math.ceil(peakPerSecond / (rate * WORKLOAD.utilisation));
    console.log(row([label, int(rate), partitions, int(peakPerSecond / partitions)], widths));
  }
  console.log();
}

/** Median and 99th percentile of a 4 KiB append + fdatasync on the folder os.tmpdir() names. */
function measureFsync(rounds = 200): { median: number; p99: number } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'scale-fsync-'));
  const fd = openSync(path.join(folder, 'log'), 'a');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(folder, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { median: times[rounds >> 1] as number, p99: times[Math.floor(rounds * 0.99)] as number };
}

function printFsyncBudget(): void {
  const measured = measureFsync();
  console.log('== fsync budget per partition at the peak ==');
  console.log(`measured here: 4 KiB append + fdatasync, median ${dec(measured.median, 3)} ms, p99 ${dec(measured.p99, 3)} ms (200 rounds; varies with the disk and the load)`);
  const latencies: [string, number][] = [
    ['measured', measured.median],
    ['1 ms, assumed', 1],
  ];
  const widths = [12, 16, ...latencies.flatMap(() => [22, 22])];
  console.log(row(['partitions', 'events/s each', ...latencies.flatMap(([label]) => [`busy (${label})`, 'events per fsync'])], widths));
  for (const partitions of [1, 4, 16, 64]) {
    const each = peakPerSecond / partitions;
    const cells = latencies.flatMap(([, ms]) => [`${dec((100 * each * ms) / 1000, 0)}%`, dec(Math.max(1, (each * ms) / 1000), 1)]);
    console.log(row([partitions, int(each), ...cells], widths));
  }
  console.log(
    '(busy: the share of a second the disk spends on fsyncs, one per event; fsyncs are serial, so above 100% the partition needs group commit, that many events per fsync at least)\n',
  );
}

function printRouting(hashes: Uint32Array): void {
  const buckets = bucketsOf(hashes, WORKLOAD.buckets);
  const weights = activities(hashes.length, 1.5, seeded(42));
  console.log(`== routing ${int(hashes.length)} subject ids (cust-0 … cust-${int(hashes.length - 1)}) by MurmurHash3 into ${int(WORKLOAD.buckets)} buckets ==`);
  const widths = [12, 18, 18, 26, 26];
  console.log(row(['partitions', 'subjects each', 'max/mean', 'activity max/mean', 'activity min/mean'], widths));
  for (const partitions of [16, 64, 256, 1024]) {
    const map = initialBucketMap(WORKLOAD.buckets, partitions);
    const count = skewOf(partitionLoads(buckets, map));
    const load = skewOf(partitionLoads(buckets, map, weights));
    console.log(row([partitions, int(count.mean), dec(count.maxOverMean, 4), dec(load.maxOverMean, 4), dec(load.min / load.mean, 4)], widths));
  }
  const busiest = weights.reduce((max, w) => Math.max(max, w), 0);
  console.log(`(activity: events per customer log-normal, σ = 1.5, mean 1; the busiest customer does ${dec(busiest, 0)}× the mean)\n`);
}

function printRebalancing(hashes: Uint32Array): void {
  console.log('== rebalancing: adding partitions ==');
  const widths = [12, 30, 30];
  console.log(row(['P → P′', 'bucket map: data moved', 'hash mod P: data moved'], widths));
  for (const [from, to] of [
    [16, 17],
    [16, 32],
    [64, 65],
  ] as const) {
    let map = initialBucketMap(WORKLOAD.buckets, from);
    const start = map;
    for (let p = from; p < to; p++) map = addPartition(map);
    const modulo = to === from + 1 ? movedByModulo(hashes, from) : hashes.filter((h) => h % from !== h % to).length / hashes.length;
    console.log(row([`${from} → ${to}`, `${dec((100 * bucketsMoved(start, map)) / WORKLOAD.buckets, 1)}%`, `${dec(100 * modulo, 1)}%`], widths));
  }
  const moveBytes = (WORKLOAD.customers / WORKLOAD.buckets) * (1e9 / WORKLOAD.customers) * MEASURED.recordBytes;
  console.log(`one bucket at 1e9 events: ${int(WORKLOAD.customers / WORKLOAD.buckets)} customers, ${dec(moveBytes / 1e6, 0)} MB of records to copy\n`);
}

function printHotRecipient(hashes: Uint32Array): void {
  const partitions = 64;
  const map = initialBucketMap(WORKLOAD.buckets, partitions);
  const hot = hotRecipient(bucketsOf(hashes, WORKLOAD.buckets), map, WORKLOAD.agencyShareOfShares, WORKLOAD.otherRecipients, seeded(19));
  console.log(
    `== a hot recipient: ${int(hashes.length)} shares, ${dec(100 * hot.agencyShare, 1)}% to one agency, the rest Zipf over ${WORKLOAD.otherRecipients} recipients, ${partitions} partitions ==`,
  );
  console.log(`share rows kept with the recipient: busiest partition ${dec(hot.byRecipient.maxOverMean, 2)}× the mean (${int(hot.byRecipient.max)} rows)`);
  console.log(`share rows kept with the subject:   busiest partition ${dec(hot.bySubject.maxOverMean, 4)}× the mean (${int(hot.bySubject.max)} rows)`);
  const agencyPeak = peakPerSecond * WORKLOAD.agencyShareOfShares;
  const split = Math.ceil(agencyPeak / (MEASURED.sqliteCommandsPerSecond * WORKLOAD.utilisation));
  console.log(
    `if each share were also appended to recipient-<id>: ${int(agencyPeak)} appends/s to one stream at a share campaign's peak; ` +
      `one stream takes one append at a time (≤ ${int(MEASURED.sqliteCommandsPerSecond)}/s measured): ${split} sub-streams at 50%\n`,
  );
}

function tileBytes(size: number): { tiles: number; bytes: number; levels: number } {
  const counts = tileCounts(size);
  const tiles = counts.reduce((sum, level) => sum + level.full + (level.partialWidth > 0 ? 1 : 0), 0);
  const bytes = counts.reduce((sum, level) => sum + (level.full * TILE_WIDTH + level.partialWidth) * HASH_BYTES, 0);
  return { tiles, bytes, levels: counts.length };
}

function printTileCounts(): void {
  console.log('== tlog-tiles: tiles per tree size ==');
  const widths = [16, 8, 58, 12, 12, 12, 16];
  console.log(row(['leaves', 'levels', 'full tiles per level (partial widths)', 'tiles', 'tile bytes', 'B per leaf', 'entry bundles'], widths));
  for (const size of [...SIZES, WORKLOAD.customers * WORKLOAD.eventsPerCustomerPerYear]) {
    const counts = tileCounts(size);
    const { tiles, bytes, levels } = tileBytes(size);
    const perLevel = counts.map((level) => `${int(level.full)}${level.partialWidth > 0 ? ` (${level.partialWidth})` : ''}`).join(' / ');
    console.log(row([int(size), levels, perLevel, int(tiles), gib(bytes), dec(bytes / size, 3), gib(size * (2 + HASH_BYTES))], widths));
  }
  console.log('(entry bundles, if published: each entry is the 32-byte leaf data with its 2-byte length; never the record)\n');
}

function printProofRequests(): ReturnType<typeof inclusionRequests>[] {
  const size = 1e9;
  const random = seeded(9162);
  const uniform = inclusionRequests(size, PROOFS, () => Math.floor(random() * size));
  const recent = inclusionRequests(size, PROOFS, () => Math.max(0, size - 1 - Math.floor(-Math.log(1 - random()) * 1e6)));
  console.log(`== requests per proof at 1e9 leaves (${int(PROOFS)} proofs each, tiles generated per proof) ==`);
  const widths = [52, 12, 10, 14, 16, 16];
  console.log(row(['inclusion proofs of', 'tiles mean', 'max', 'bytes mean', 'cache hit rate', 'distinct tiles'], widths));
  for (const [label, r] of [
    ['uniformly random leaves', uniform],
    ['recent leaves (exponential, mean 1e6 from the end)', recent],
  ] as const) {
    console.log(row([label, dec(r.meanTiles), r.maxTiles, int(r.meanBytes), `${dec(100 * r.cacheHitRate, 1)}%`, int(r.distinctTiles)], widths));
  }
  console.log(`(plus one GET of the checkpoint; the first random proof's tiles: ${uniform.examplePaths.join(', ')})`);
  const step = Math.round(meanPerSecond * WORKLOAD.checkpointSeconds);
  const peakStep = Math.round(peakPerSecond * WORKLOAD.checkpointSeconds);
  const pairs: [string, () => [number, number]][] = [
    [`a witness, ${WORKLOAD.checkpointSeconds} s of the mean rate (${int(step)} leaves)`, () => [size - step, size]],
    [`a witness, ${WORKLOAD.checkpointSeconds} s of the peak (${int(peakStep)} leaves)`, () => [size - peakStep, size]],
    [`${int(RANDOM_CONSISTENCY_PROOFS)} random sizes below 1e9`, () => [1 + Math.floor(random() * (size - 1)), size]],
  ];
  console.log(row(['consistency proofs for', 'tiles mean', 'max', 'bytes mean'], widths));
  for (const [label, pairOf] of pairs) {
    const r = consistencyRequests(/random/.test(label) ? RANDOM_CONSISTENCY_PROOFS : 1, pairOf);
    console.log(row([label, dec(r.meanTiles), r.maxTiles, int(r.meanBytes)], widths));
  }
  console.log();
  return [uniform, recent];
}

function printCosts(proofs: ReturnType<typeof inclusionRequests>[]): void {
  const size = 1e9;
  const { tiles, bytes } = tileBytes(size);
  const checkpointsPerDay = 86_400 / WORKLOAD.checkpointSeconds;
  const day = tileWrites(size, Math.round(meanPerSecond * WORKLOAD.checkpointSeconds), checkpointsPerDay);
  const putsPerYear = (day.full + day.partial) * 365;
  console.log(`== object storage costs (assumed list prices, see PRICES; GiB = 2^30 bytes) ==`);
  console.log(`tile PUTs a day at the mean rate, a checkpoint every ${WORKLOAD.checkpointSeconds} s: ${int(day.full)} full + ${int(day.partial)} partial`);
  const widths = [52, 14, 14];
  console.log(row(['', 'S3 Standard', 'R2'], widths));
  const both = (f: (p: typeof PRICES.s3) => number) => [usd(f(PRICES.s3)), usd(f(PRICES.r2))];
  console.log(row([`store the 1e9-leaf tree (${gib(bytes)}), a month`, ...both((p) => (bytes / GiB) * p.storageGiBMonth)], widths));
  console.log(row([`write it once (${int(tiles)} PUTs)`, ...both((p) => (tiles / 1000) * p.putPer1000)], widths));
  console.log(row([`keep it growing a year (${int(putsPerYear)} PUTs)`, ...both((p) => (putsPerYear / 1000) * p.putPer1000)], widths));
  const [uniform, recent] = proofs as [ReturnType<typeof inclusionRequests>, ReturnType<typeof inclusionRequests>];
  for (const [label, r] of [
    ['random', uniform],
    ['recent', recent],
  ] as const) {
    const gets = 1e6 * (r.meanTiles + 1);
    const originGets = 1e6 * (r.meanTiles * (1 - r.cacheHitRate) + 1);
    console.log(
      row([`1M ${label} proofs, no cache (${int(gets)} GETs + egress)`, ...both((p) => (gets / 1000) * p.getPer1000 + ((1e6 * r.meanBytes) / GiB) * p.egressGiB)], widths),
    );
    console.log(row([`1M ${label} proofs, origin GETs behind a cache`, ...both((p) => (originGets / 1000) * p.getPer1000)], widths));
  }
  console.log();
}

function printStorage(): void {
  console.log('== storage per event and at 1e9 events ==');
  const postgresRow = 24 + 4 + 8 + 8 + 16 + (1 + 44 + 3) + (1 + 16) + (4 + MEASURED.recordBytes);
  const postgresIndexes = (8 + 8 + 4) / 0.9 + (8 + 48 + 8 + 4) / 0.9 + (8 + 16 + 4) / 0.9;
  const perEvent: [string, number][] = [
    ['record (measured)', MEASURED.recordBytes],
    ['PostgreSQL row + 3 indexes (estimated from the page layout)', postgresRow + postgresIndexes],
    ['tree in tiles (level 0 + the levels above)', tileBytes(1e9).bytes / 1e9],
    ['tree index in process (measured; what tiles replace at this size)', MEASURED.treeIndexBytesPerEvent],
  ];
  const widths = [66, 12, 14, 24];
  console.log(row(['', 'B/event', 'at 1e9', 'block storage, a month'], widths));
  for (const [label, bytes] of perEvent) console.log(row([label, dec(bytes, 1), gib(bytes * 1e9), usd(((bytes * 1e9) / GiB) * PRICES.blockStorageGiBMonth)], widths));
  const verifyHours = 1e9 / MEASURED.verifyChainAndTreePerSecond / 3600;
  console.log(`audit.verify() of 1e9 events on one core: ${dec(verifyHours, 1)} h; spread over 64 partitions verified side by side: ${dec((verifyHours * 60) / 64, 1)} min\n`);
}

function printTopLevelLog(): void {
  console.log('== per-partition trees under a top-level log of partition checkpoints ==');
  const widths = [12, 24, 30, 32];
  console.log(row(['partitions', 'top-log leaves a year', 'extra proof hashes, year 1', 'witness consistency proofs/s'], widths));
  for (const partitions of [16, 64, 256]) {
    const leaves = (partitions * SECONDS_PER_YEAR) / WORKLOAD.checkpointSeconds;
    console.log(row([partitions, int(leaves), Math.ceil(Math.log2(leaves)), dec(partitions / WORKLOAD.checkpointSeconds, 1)], widths));
  }
  console.log(`(a checkpoint per partition every ${WORKLOAD.checkpointSeconds} s; a receipt carries its partition's proof plus the top log's)\n`);
}

function main(): void {
  const started = performance.now();
  console.log(`scale model: Node ${process.version}, ${os.cpus().length} CPUs\n`);
  printWorkload();
  printPartitionsNeeded();
  printFsyncBudget();
  const hashes = subjectHashes(SUBJECTS);
  printRouting(hashes);
  printRebalancing(hashes);
  printHotRecipient(hashes);
  printStorage();
  printTileCounts();
  printCosts(printProofRequests());
  printTopLevelLog();
  console.log(`done in ${dec((performance.now() - started) / 1000, 1)} s`);
}

main();
