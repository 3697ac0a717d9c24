import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '@custodian/core';
import { createSqliteEventStore } from './index';

const ROUNDS = 20;
const packageDir = join(__dirname, '..');
const child = join(__dirname, 'test-support', 'crash-child.js');
const dir = mkdtempSync(join(tmpdir(), 'custodian-sqlite-crash-'));
const running = new Set<ChildProcess>();

beforeAll(() => {
  // The child runs as plain node, outside jest, so it needs the compiled packages; building
  // here keeps them in step with the sources when jest is run on its own. Type errors are
  // the build step's to report, and tsc still emits, so only missing output stops the test.
  const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', packageDir], { encoding: 'utf8' });
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) throw new Error(`building @custodian/sqlite failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

afterAll(() => {
  for (const writer of running) writer.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Round {
  /** Ids of the events whose append resolved before the kill. */
  acked: string[];
  appends: number;
}

/**
 * Starts the writer and SIGKILLs it either a random few milliseconds after it starts
 * opening the file (so opening, creating the schema and the first appends get cut too) or
 * after a random number of acknowledged appends (so the kill lands in the append loop, most
 * of whose time is spent committing). Both count from the child's own output, so a slow,
 * loaded machine shifts the moments but not what they cut.
 */
function runAndKill(round: number, path: string, mode: 'one by one' | 'grouped'): Promise<Round> {
  const early = round % 4 === 0;
  const killAfterAppends = 1 + Math.floor(Math.random() * 60);
  return new Promise((resolve, reject) => {
    const writer = spawn(process.execPath, [child, path, ...(mode === 'grouped' ? ['grouped'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(writer);
    const acked: string[] = [];
    let appends = 0;
    let stdout = '';
    let stderr = '';
    let hung = false;
    const kill = () => writer.kill('SIGKILL');
    const timer = setTimeout(() => {
      hung = true;
      kill();
    }, 30_000);
    writer.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'opening' && early) setTimeout(kill, Math.random() * 20);
        if (!line.startsWith('ack ')) continue;
        acked.push(...line.slice(4).split(','));
        if (++appends === killAfterAppends && !early) kill();
      }
    });
    writer.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    writer.on('error', reject);
    // 'close' rather than 'exit': every ack written before the kill has been read by then.
    writer.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(writer);
      if (hung) reject(new Error(`the writer made no progress for 30 s (${appends} appends):\n${stderr}`));
      else if (signal === 'SIGKILL') resolve({ acked, appends });
      else reject(new Error(`the writer stopped by itself (code ${code}, signal ${signal}):\n${stderr}`));
    });
  });
}

/**
 * Every problem found in the file: lost acknowledged events, partial batches (or groups),
 * and any broken link of the hash chains, found as the ledger's `audit.verify()` finds them.
 */
async function problems(acked: ReadonlySet<string>, path: string): Promise<string[]> {
  const store = createSqliteEventStore({ path });
  try {
    const found: string[] = [];
    const stored = new Set<string>();
    const batches = new Map<string, { size: number; count: number }>();
    for await (const event of store.readAll()) {
      stored.add(event.id);
      const { correlationId } = JSON.parse(Buffer.from(event.data).toString('utf8')) as { correlationId: string };
      const [batch = '', size = '0'] = correlationId.split(':');
      const entry = batches.get(batch) ?? { size: Number(size), count: 0 };
      entry.count++;
      batches.set(batch, entry);
    }
    for (const id of acked) if (!stored.has(id)) found.push(`acknowledged event ${id} is missing`);
    for (const [batch, { size, count }] of batches) if (count !== size) found.push(`batch ${batch} has ${count} of its ${size} events`);

    const chain = await verifyChain(store.readAll(), { positionsGapFreeFrom: store.positionsGapFreeFrom });
    for (const link of chain.broken) found.push(`${link.stream}@${link.revision}: ${link.reason}`);
    if (chain.checked !== stored.size) found.push(`the chain check saw ${chain.checked} of ${stored.size} events`);
    return found;
  } finally {
    await store.close();
  }
}

async function killRounds(path: string, mode: 'one by one' | 'grouped'): Promise<void> {
  const acked = new Set<string>();
  let appends = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const result = await runAndKill(round, path, mode);
    for (const id of result.acked) acked.add(id);
    appends += result.appends;
    expect({ round, problems: await problems(acked, path) }).toEqual({ round, problems: [] });
  }
  // The test proves something only if the writer got well into its loop.
  expect(appends).toBeGreaterThan(ROUNDS * 5);
}

it(`keeps every acknowledged append, whole and chained, across ${ROUNDS} SIGKILLs of the writer`, () => killRounds(join(dir, 'crash.db'), 'one by one'), 120_000);

// Each round of the writer is four appends made at once, one group: a kill mid-group must
// leave all of it or none of it, and lose no append whose promise resolved.
it(
  `keeps every acknowledged group commit, whole and chained, across ${ROUNDS} SIGKILLs of a writer appending in groups`,
  () => killRounds(join(dir, 'grouped.db'), 'grouped'),
  120_000,
);
