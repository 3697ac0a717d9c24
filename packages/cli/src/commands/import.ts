import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { BackfillLineError, BackfillOptionsError, createLedger, type BackfillResult } from '@custodian/core';
import { MASTER_KEY_ENV, openWritableKeyStore } from '../keys';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { count } from '../output/table';
import { showControls } from '../output/terminal';
import { loadPolicy } from '../policy';
import { openWritableStore, storeChoice } from '../open-store';
import { stringOption, UsageError } from '../usage';
import { EXIT, type LedgerlessCommand } from './command';

const NAME = 'import';

/** Lines in the file, for the progress bar's total: one pass over its bytes, nothing parsed. */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1] as number;
  }
  return last === 0x0a ? lines : lines + 1;
}

function wholeNumber(values: Readonly<Record<string, string | boolean | undefined>>, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number`, NAME);
  return Number(text);
}

/** Names the line and field, never a value of the line. */
const describeRejection = (error: BackfillLineError) => `custodian: ${showControls(error.message)}\n`;

export const importCommand: LedgerlessCommand = {
  name: NAME,
  summary: 'backfill: record customers and consents already on file elsewhere, at their original times',
  description: `Reads a JSON Lines file, one customer a line ({"subjectId", "collections": [{collectedAt, source, purposes, notice, data}], "consents": [{purpose, grantedAt, notice, method, evidence?, expiresAt?, withdrawnAt?}]}; see docs/backfill.md), and records each collection and consent with its original time (occurredAt) and the import's mark (backfill: import id and line), values sealed with each customer's key in --keys (the master key in ${MASTER_KEY_ENV}) as collect() seals them. The first line the policy or the schema refuses stops the import, named by line and field (exit 2): the lines before it are imported, none after it. With --skip-invalid every such line is reported and the rest imported. Resumable: rerun the same file with the same --import-id after a crash and nothing is appended twice. Writes to a SQLite ledger file (--db, created if missing) or to PostgreSQL (--postgres <url>, its tables created if missing).`,
  ledger: 'writes',
  positionals: [{ name: '<file.jsonl>', description: 'the customers to import, one JSON object a line' }],
  options: {
    keys: { type: 'string', value: '<dir>', description: `the key folder (createFileKeyStore), created if missing; needs ${MASTER_KEY_ENV}` },
    policy: { type: 'string', value: '<file.json>', description: 'the policy (definePolicy input); default: the one the log records' },
    'import-id': {
      type: 'string',
      value: '<id>',
      description: "names the import in every event it records and fixes its event ids; default: the file's name without its extension",
    },
    actor: { type: 'string', value: '<id>', description: 'the service recording the import (default custodian-import)' },
    roles: { type: 'string', value: '<role,...>', description: "the actor's roles: those the policy requires to collect and to record consent" },
    concurrency: { type: 'string', value: '<n>', description: 'customers written at once (default 32)' },
    'skip-invalid': { type: 'boolean', description: 'report every refused line and import the rest, rather than stop at the first' },
  },
  examples: [
    `${MASTER_KEY_ENV}=... custodian import customers.jsonl --db custodian.db --keys ./keys --policy policy.json --roles crm-import`,
    `${MASTER_KEY_ENV}=... custodian import customers.jsonl --db custodian.db --keys ./keys --roles crm-import --skip-invalid --json`,
  ],
  findings: '(not used by this command)',
  async run({ io, json, values, positionals }) {
    const file = resolve(io.cwd, positionals[0] ?? '');
    if (!existsSync(file) || statSync(file).isDirectory()) throw new UsageError(`no file at ${file}`, NAME);
    const keysDir = stringOption(values, 'keys');
    if (keysDir === undefined) throw new UsageError(`import needs --keys <dir>: each customer's values are sealed with a key kept there`, NAME);
    const keys = openWritableKeyStore(keysDir, io.env, io.cwd, NAME);
    const concurrency = wholeNumber(values, 'concurrency');
    const importId = stringOption(values, 'import-id') ?? basename(file, extname(file));
    const roles = (stringOption(values, 'roles') ?? '').split(',').filter((role) => role !== '');
    const actor = { id: stringOption(values, 'actor') ?? 'custodian-import', kind: 'service' as const, roles };

    const total = await countLines(file);
    const opened = await openWritableStore({ ...storeChoice(values), create: true }, io.cwd, NAME);
    const { store } = opened;
    let result: BackfillResult;
    const progress = createProgress({ stream: io.stderr, label: 'Importing', total, unit: 'lines', enabled: !json, delayMs: io.progressDelayMs });
    try {
      const loaded = await loadPolicy(store, stringOption(values, 'policy'), io.cwd, NAME);
      if (!loaded) throw new UsageError('the log records no policy: pass --policy <file.json>', NAME);
      const ledger = createLedger({ store, keys, policy: loaded.policy });
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      result = await ledger.backfill(lines, {
        importId,
        actor,
        ...(concurrency !== undefined && { concurrency }),
        onInvalid: values['skip-invalid'] === true ? 'skip' : 'stop',
        onProgress: (done) => progress.update(done.imported + done.alreadyImported + done.rejected),
      });
    } catch (error) {
      progress.finish();
      if (error instanceof BackfillLineError) {
        io.stderr.write(describeRejection(error));
        io.stderr.write(`The lines before line ${error.line} are imported, none after it; fix the line and run the same import again to finish it.\n`);
        return EXIT.usage;
      }
      if (error instanceof BackfillOptionsError) throw new UsageError(error.message, NAME);
      throw error;
    } finally {
      await opened.close();
    }
    progress.finish();
    for (const rejected of result.rejectedLines) io.stderr.write(describeRejection(rejected));
    if (json) {
      const rejectedLines = result.rejectedLines.map((e) => ({ line: e.line, field: e.field, reason: e.reason, message: e.message }));
      io.stdout.write(toJson({ ledger: opened.label, file, ...result, rejectedLines }));
    } else {
      io.stdout.write(
        `Imported ${count(result.imported, 'customer')} (${count(result.events, 'event')}) from ${showControls(file)} into ${showControls(opened.label)} as import ${showControls(result.importId)}` +
          `${result.alreadyImported > 0 ? `; ${count(result.alreadyImported, 'customer')} already imported by an earlier run` : ''}` +
          `${result.rejected > 0 ? `; ${count(result.rejected, 'line')} turned away` : ''}.\n`,
      );
    }
    return result.rejected > 0 ? EXIT.usage : EXIT.ok;
  },
};
