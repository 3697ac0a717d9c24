/**
 * EventStoreDB adapter benchmark: what @custodian/eventstoredb costs over the bare
 * @eventstore/db-client it wraps, on the same server, in the same run.
 *
 *   pnpm bench:eventstoredb     (= tsc -b && node bench/dist/eventstoredb.bench.js)
 *
 * The server is the adapter's EventStoreDB wire-protocol test server (real gRPC on
 * loopback), in a child process of its own; set EVENTSTORE_CONNECTION_STRING to measure
 * against a real EventStoreDB or KurrentDB instead. Three workloads, each done through
 * the adapter and through the client directly, each side on streams of its own:
 *
 * - append: 3,000 appends of one event each, to 300 streams in turn, each with its
 *   expected revision (the ledger's pattern: one decision, one append);
 * - read streams: those 300 streams read back, 10 events each, three times over;
 * - read $all: the 5,400 events appended, read from $all in reads of 500 from a
 *   position, three times over.
 *
 * The same bytes go either way: an event id made beforehand (crypto.randomUUID), a JSON
 * body serialised in the loop, stored as binary; reads parse the body back.
 *
 * The machine may be shared, so the two sides take turns in small blocks (50 appends, 5
 * streams, one read of $all), the first to go alternating, and each side's time is the
 * sum of its blocks. Each block also gives a paired ratio (adapter time over client time
 * for the same work, moments apart); their median is what the goal (at most 1.10) is
 * judged on, since a burst of load elsewhere spoils a few pairs but barely moves the
 * median. Both figures are printed, with the quartiles of the pairs and the machine's
 * load average, to show how steady it was.
 *
 * bench/ does not depend on the adapter or the clients (only packages/eventstoredb does),
 * so they are loaded from that package at run time, and typed here by what is used.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventStore, ExpectedRevision } from '@custodian/core';

const STREAMS = 300;
const EVENTS_PER_STREAM = 10;
const APPEND_BLOCK = 50;
const READ_BLOCK = 5;
const READ_PASSES = 3;
const ALL_WINDOW = 500;
const ALL_PASSES = 3;

interface ClientPosition {
  commit: bigint;
  prepare: bigint;
}
interface ClientResolved {
  event?: { data: unknown };
}
/** The parts of EventStoreDBClient this benchmark calls. */
interface BareClient {
  appendToStream(
    stream: string,
    events: { id: string; contentType: 'application/octet-stream'; type: string; data: Uint8Array; metadata: undefined }[],
    options: { expectedRevision: 'no_stream' | bigint },
  ): Promise<{ nextExpectedRevision: bigint; position?: ClientPosition }>;
  readStream(stream: string): AsyncIterable<ClientResolved>;
  readAll(options: { fromPosition: ClientPosition; maxCount: number }): AsyncIterable<ClientResolved>;
  dispose(): Promise<void>;
}
interface Adapter {
  createEventStoreDBStore(client: BareClient, options?: { closeClient?: boolean }): EventStore;
}
interface ClientPackage {
  EventStoreDBClient: { connectionString(connectionString: string): BareClient };
}

const packageDir = join(__dirname, '..', '..', 'packages', 'eventstoredb');
const fromAdapterPackage = createRequire(join(packageDir, 'package.json'));

/** One side: appends event n to stream n % STREAMS, reads streams, reads $all; sums the bodies' n. */
interface Side {
  /** Returns the position of each event appended. */
  append(from: number, to: number): Promise<bigint[]>;
  readStreams(from: number, to: number): Promise<number>;
  readAll(position: bigint, count: number): Promise<number>;
}

const body = (n: number) => Buffer.from(JSON.stringify({ n, sku: `SKU-${(n * 7919) % 100_000}`, at: '2026-03-01T09:00:00.000Z' }));
const numberOf = (data: unknown) => {
  const bytes = data as Uint8Array;
  return (JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as { n: number }).n;
};
const streamsOf = (side: string) => {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: STREAMS }, (_, s) => `bench-${side}-${run}-item-${s}`);
};

function adapterSide(store: EventStore): Side {
  const streams = streamsOf('adapter');
  const expected: ExpectedRevision[] = streams.map(() => 'no_stream');
  return {
    async append(from, to) {
      const positions: bigint[] = [];
      for (let n = from; n < to; n++) {
        const s = n % STREAMS;
        const result = await store.append(streams[s]!, [{ id: randomUUID(), type: 'ItemAdded', data: body(n) }], expected[s]!);
        expected[s] = result.nextRevision;
        positions.push(result.position);
      }
      return positions;
    },
    async readStreams(from, to) {
      let sum = 0;
      for (let s = from; s < to; s++) for await (const event of store.readStream(streams[s]!)) sum += numberOf(event.data);
      return sum;
    },
    async readAll(position, count) {
      let sum = 0;
      for await (const event of store.readAll({ fromPosition: position, maxCount: count })) sum += numberOf(event.data);
      return sum;
    },
  };
}

function clientSide(client: BareClient): Side {
  const streams = streamsOf('client');
  const expected: ('no_stream' | bigint)[] = streams.map(() => 'no_stream');
  return {
    async append(from, to) {
      const positions: bigint[] = [];
      for (let n = from; n < to; n++) {
        const s = n % STREAMS;
        const event = { id: randomUUID(), contentType: 'application/octet-stream' as const, type: 'ItemAdded', data: body(n), metadata: undefined };
        const result = await client.appendToStream(streams[s]!, [event], { expectedRevision: expected[s]! });
        expected[s] = result.nextExpectedRevision;
        positions.push(result.position?.commit ?? 0n);
      }
      return positions;
    },
    async readStreams(from, to) {
      let sum = 0;
      for (let s = from; s < to; s++) for await (const resolved of client.readStream(streams[s]!)) sum += numberOf(resolved.event?.data);
      return sum;
    },
    async readAll(position, count) {
      let sum = 0;
      for await (const resolved of client.readAll({ fromPosition: { commit: position, prepare: position }, maxCount: count })) sum += numberOf(resolved.event?.data);
      return sum;
    },
  };
}

type SideName = 'adapter' | 'client';

/** Runs one block per side, in the given order; adds each side's time; returns what each computed. */
class Race {
  readonly total: Record<SideName, number> = { adapter: 0, client: 0 };
  readonly ratios: number[] = [];

  async block<T>(round: number, work: (side: SideName) => Promise<T>): Promise<Record<SideName, T>> {
    const order: SideName[] = round % 2 === 0 ? ['adapter', 'client'] : ['client', 'adapter'];
    const took: Partial<Record<SideName, number>> = {};
    const out: Partial<Record<SideName, T>> = {};
    for (const side of order) {
      const start = performance.now();
      out[side] = await work(side);
      took[side] = performance.now() - start;
      this.total[side] += took[side];
    }
    this.ratios.push(took.adapter! / took.client!);
    return out as Record<SideName, T>;
  }
}

/** Starts the test server in a child process; its TypeScript is compiled on the fly by ts-node. */
async function startServer(): Promise<{ connectionString: string; stop(): Promise<void> }> {
  const real = process.env['EVENTSTORE_CONNECTION_STRING'];
  if (real) return { connectionString: real, stop: async () => undefined };
  const entry = join(packageDir, 'src', 'testing', 'server', 'main.ts');
  const child: ChildProcess = fork(entry, ['{}'], {
    execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
    env: { ...process.env, TS_NODE_PROJECT: join(packageDir, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { connectionString } = await new Promise<{ connectionString: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { connectionString: string }));
    child.once('exit', (code) => reject(new Error(`the test server exited (${String(code)}) before listening`)));
  });
  return {
    connectionString,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const load = () => os.loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  const { createEventStoreDBStore } = fromAdapterPackage('@custodian/eventstoredb') as Adapter;
  const { EventStoreDBClient } = fromAdapterPackage('@eventstore/db-client') as ClientPackage;
  const server = await startServer();
  // One client each, so neither side's calls queue behind the other's on one connection.
  const bareClient = EventStoreDBClient.connectionString(server.connectionString);
  const store = createEventStoreDBStore(EventStoreDBClient.connectionString(server.connectionString));
  const sides: Record<SideName, Side> = { adapter: adapterSide(store), client: clientSide(bareClient) };
  const events = STREAMS * EVENTS_PER_STREAM;
  const rows: { label: string; events: number; race: Race }[] = [];
  try {
    const real = Boolean(process.env['EVENTSTORE_CONNECTION_STRING']);
    console.log(
      `EventStoreDB adapter vs bare @eventstore/db-client 6.2, on ${real ? 'the server in EVENTSTORE_CONNECTION_STRING' : 'the test server (child process, loopback gRPC)'}`,
    );
    console.log(`${os.cpus().length} cores, load average ${load()} at the start\n`);
    // Warm-up: connections, server features, JIT; its streams are not measured again.
    for (const side of ['adapter', 'client'] as const) await sides[side].append(0, STREAMS);

    const appendRace = new Race();
    const positions: bigint[] = [];
    for (let n = STREAMS, round = 0; n < events; n += APPEND_BLOCK, round++) {
      const appended = await appendRace.block(round, (side) => sides[side].append(n, Math.min(events, n + APPEND_BLOCK)));
      positions.push(...appended.adapter, ...appended.client);
    }
    rows.push({ label: 'append, 1 event per append', events: events - STREAMS, race: appendRace });

    const readRace = new Race();
    let round = 0;
    for (let pass = 0; pass < READ_PASSES; pass++) {
      for (let s = 0; s < STREAMS; s += READ_BLOCK, round++) {
        const sums = await readRace.block(round, (side) => sides[side].readStreams(s, s + READ_BLOCK));
        if (sums.adapter !== sums.client) throw new Error('the two sides read different events');
      }
    }
    rows.push({ label: 'read streams, 10 events each', events: events * READ_PASSES, race: readRace });

    const allRace = new Race();
    positions.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let windows = 0;
    for (let pass = 0; pass < ALL_PASSES; pass++) {
      for (let i = 0; i + ALL_WINDOW <= positions.length; i += ALL_WINDOW, windows++) {
        const sums = await allRace.block(windows, (side) => sides[side].readAll(positions[i]!, ALL_WINDOW));
        if (sums.adapter !== sums.client) throw new Error('the two sides read different events from $all');
      }
    }
    rows.push({ label: `read $all, ${ALL_WINDOW} per read`, events: windows * ALL_WINDOW, race: allRace });
  } finally {
    await store.close();
    await bareClient.dispose();
    await server.stop();
  }

  console.log(
    `${'workload'.padEnd(30)}${'events'.padStart(7)}${'client ev/s'.padStart(13)}${'adapter ev/s'.padStart(14)}${'ratio of sums'.padStart(15)}${'median pair'.padStart(13)}   pairs: quartiles`,
  );
  let worst = 0;
  for (const { label, events: count, race } of rows) {
    const rate = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
    const median = quantile(race.ratios, 0.5);
    worst = Math.max(worst, median);
    console.log(
      `${label.padEnd(30)}${count.toLocaleString('en-US').padStart(7)}${rate(race.total.client).padStart(13)}${rate(race.total.adapter).padStart(14)}` +
        `${(race.total.adapter / race.total.client).toFixed(3).padStart(15)}${median.toFixed(3).padStart(13)}   ${quantile(race.ratios, 0.25).toFixed(2)} .. ${quantile(race.ratios, 0.75).toFixed(2)} (${race.ratios.length})`,
    );
  }
  console.log(`\nload average ${load()} at the end`);
  console.log(`worst median paired ratio ${worst.toFixed(3)}: ${worst <= 1.1 ? 'within' : 'OVER'} the goal of 1.10 (the adapter costing at most 10% over the client)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
