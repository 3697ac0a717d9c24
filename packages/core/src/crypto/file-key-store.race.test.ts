import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { conformancePolicy } from '@custodian/testing';
import { CustodianError } from '../errors';
import { readDecoded, subjectStream, type Actor } from '../events';
import { createLedger } from '../ledger';
import { InMemoryEventStore } from '../store';
import { createFileKeyStore } from './file-key-store';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'custodian-key-race-'));
  folders.push(folder);
  return folder;
}

const hashOf = (subjectId: string) => createHash('sha256').update(subjectId).digest('hex');
/** The suffixes of the files a subject has in the folder: `key`, `destroyed`, `<random>.tmp`... */
const filesOf = (directory: string, subjectId: string) =>
  readdirSync(directory)
    .filter((f) => f.startsWith(`${hashOf(subjectId)}.`))
    .map((f) => f.slice(65));

/** Runs `task` after a varying number of event-loop turns, so racers start at every stage of the others' file operations. */
async function after<T>(turns: number, task: () => Promise<T>): Promise<T> {
  for (let i = 0; i < turns % 9; i++) await new Promise((r) => setImmediate(r));
  return task();
}

const codeOf = (reason: unknown) => (reason instanceof CustodianError ? reason.code : `untyped ${String(reason)}`);

describe('FileKeyStore: destroy racing getOrCreate and get', () => {
  it('leaves no key file and no key after destroy resolves, 1,000 times, with a second store on the same folder', async () => {
    const directory = tempFolder();
    const masterKey = randomBytes(32);
    const store = createFileKeyStore({ directory, masterKey });
    // A second store on the folder shares no memory with the first: only the files fence it.
    const twin = createFileKeyStore({ directory, masterKey });
    const failures: string[] = [];
    for (let round = 0; round < 1000; round++) {
      const subjectId = `s-${round}`;
      if (round % 2 === 0) await store.getOrCreate(subjectId);
      const racing = Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => {
          const on = i % 2 === 0 ? store : twin;
          return after(round * 7 + i * 3, () => (i % 3 === 2 ? on.get(subjectId) : on.getOrCreate(subjectId)));
        }),
      );
      await after(round, () => store.destroy(subjectId));
      if (filesOf(directory, subjectId).includes('key')) failures.push(`${subjectId}: a key file right after destroy`);
      if ((await store.get(subjectId)) !== undefined || (await twin.get(subjectId)) !== undefined) failures.push(`${subjectId}: get found a key`);
      const outcomes = await racing;
      const keys = new Set<string>();
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected' && codeOf(outcome.reason) !== 'KEY_DESTROYED') failures.push(`${subjectId}: ${codeOf(outcome.reason)}`);
        if (outcome.status === 'fulfilled' && outcome.value) keys.add(Buffer.from(outcome.value).toString('hex'));
      }
      if (keys.size > 1) failures.push(`${subjectId}: ${keys.size} different keys`);
      const left = filesOf(directory, subjectId);
      if (left.join() !== 'destroyed') failures.push(`${subjectId}: files left ${left.join(', ')}`);
      await twin.getOrCreate(subjectId).then(
        () => failures.push(`${subjectId}: a new key after destroy`),
        (error: unknown) => codeOf(error) === 'KEY_DESTROYED' || failures.push(`${subjectId}: ${codeOf(error)}`),
      );
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

interface ChildReport {
  keys: Record<string, string[]>;
  errors: { name: string; code?: string; message: string }[];
  refused: number;
  ops: number;
}

/**
 * A process hammering the shared folder. `next(subjectId, mode)` points it at a subject and
 * resolves once it finished an operation on it (`any`) or obtained its key (`key`).
 */
function startChild(directory: string, masterKey: Buffer) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(__dirname, 'test-support', 'key-race-child.js'), directory, masterKey.toString('hex')]);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const waiting: { line: string; resolve: (line: string) => void }[] = [];
  let report: ChildReport | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('{')) report = JSON.parse(line) as ChildReport;
    const index = waiting.findIndex((w) => w.line === line);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(line);
  });
  const expectLine = (line: string) => new Promise<string>((resolve) => waiting.push({ line, resolve }));
  const closed = new Promise<ChildReport>((resolve, reject) =>
    child.on('close', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`a racing child failed (exit ${code}):\n${stderr}`)))),
  );
  return {
    ready: expectLine('ready'),
    next(subjectId: string, mode: 'any' | 'key') {
      const at = expectLine(`at ${subjectId}`);
      child.stdin.write(`${subjectId} ${mode}\n`);
      return at;
    },
    finish() {
      child.stdin.end();
      return closed;
    },
  };
}

describe('FileKeyStore: destroy racing other processes on the same folder', () => {
  it('leaves no key file once destroy resolves while three processes create and read the key', async () => {
    const directory = tempFolder();
    const masterKey = randomBytes(32);
    const store = createFileKeyStore({ directory, masterKey });
    const children = Array.from({ length: 3 }, () => startChild(directory, masterKey));
    await Promise.all(children.map((c) => c.ready));
    const failures: string[] = [];
    const subjects = Array.from({ length: 150 }, (_, i) => `x-${i}`);
    for (const [round, subjectId] of subjects.entries()) {
      // Even rounds race the first creation; odd rounds race reads of a key every process holds.
      await Promise.all(children.map((c) => c.next(subjectId, round % 2 === 0 ? 'any' : 'key')));
      await new Promise((r) => setTimeout(r, round % 4));
      await store.destroy(subjectId);
      if (filesOf(directory, subjectId).includes('key')) failures.push(`${subjectId}: a key file right after destroy`);
      if ((await store.get(subjectId)) !== undefined) failures.push(`${subjectId}: get found a key`);
    }
    // The children keep at the last subject a while, then stop.
    await new Promise((r) => setTimeout(r, 100));
    const reports = await Promise.all(children.map((c) => c.finish()));

    for (const report of reports) for (const error of report.errors) failures.push(`a child: ${error.code ?? error.name}: ${error.message}`);
    for (const subjectId of subjects) {
      const left = filesOf(directory, subjectId);
      if (left.join() !== 'destroyed') failures.push(`${subjectId}: files left ${left.join(', ')}`);
      const keys = new Set(reports.flatMap((r) => r.keys[subjectId] ?? []));
      if (keys.size > 1) failures.push(`${subjectId}: ${keys.size} different keys across processes`);
    }
    expect(failures).toEqual([]);
    // The race was real: keys were made and used before the destructions, and refused after.
    expect(subjects.filter((s) => reports.every((r) => (r.keys[s] ?? []).length > 0)).length).toBeGreaterThanOrEqual(subjects.length / 2);
    expect(reports.every((r) => r.refused > 0)).toBe(true);
    const reopened = createFileKeyStore({ directory, masterKey });
    for (const subjectId of subjects.slice(0, 10)) await expect(reopened.getOrCreate(subjectId)).rejects.toMatchObject({ code: 'KEY_DESTROYED' });
  }, 300_000);
});

describe('ledger.collect racing ledger.erase on a FileKeyStore', () => {
  const actor: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
  const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
  const notice = { id: 'privacy-notice', version: 'v3' };

  it('leaves no key, and every collect either landed before the erasure or was refused with a typed error, 200 times', async () => {
    const directory = tempFolder();
    const store = new InMemoryEventStore();
    const keys = createFileKeyStore({ directory, masterKey: randomBytes(32) });
    const ledger = createLedger({ store, keys, policy: conformancePolicy });
    const failures: string[] = [];
    for (let round = 0; round < 200; round++) {
      const subjectId = `c-${round}`;
      const collect = () =>
        ledger.collect({ subjectId, actor, source: 'checkout-form', purposes: ['order.fulfilment'], notice, data: { 'contact.email': `ann.${round}@example.com` } });
      if (round % 2 === 0) await collect();
      const collecting = Promise.allSettled(Array.from({ length: 3 }, (_, i) => after(round * 5 + i * 2, collect)));
      const erase = async (attempt = 0): Promise<unknown> =>
        ledger.erase({ subjectId, actor: dpo }).catch((error: unknown) => {
          // Item 3's business (withdrawals starved by traffic), not this race: retry the erasure.
          if (codeOf(error) === 'WRONG_EXPECTED_REVISION' && attempt < 20) return erase(attempt + 1);
          throw error;
        });
      await after(round, erase);
      if (existsSync(join(directory, `${hashOf(subjectId)}.key`))) failures.push(`${subjectId}: a key file after erase`);
      if ((await keys.get(subjectId)) !== undefined) failures.push(`${subjectId}: get found a key after erase`);
      const outcomes = await collecting;
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected' && !['COMMAND_REFUSED', 'KEY_DESTROYED', 'WRONG_EXPECTED_REVISION'].includes(codeOf(outcome.reason)))
          failures.push(`${subjectId}: collect failed with ${codeOf(outcome.reason)}`);
      }
      const types = (await readDecoded(store, subjectStream(subjectId))).map((e) => e.event.type);
      const erasedAt = types.indexOf('DataErased');
      if (erasedAt < 0 || types.slice(erasedAt + 1).includes('DataCollected')) failures.push(`${subjectId}: stream ${types.join(', ')}`);
      const landed = outcomes.filter((o) => o.status === 'fulfilled').length + (round % 2 === 0 ? 1 : 0);
      if (types.filter((t) => t === 'DataCollected').length !== landed) failures.push(`${subjectId}: ${landed} collects resolved, stream ${types.join(', ')}`);
      if (filesOf(directory, subjectId).join() !== 'destroyed') failures.push(`${subjectId}: files left ${filesOf(directory, subjectId).join(', ')}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
