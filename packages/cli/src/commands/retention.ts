import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  applyToProjection,
  createLedger,
  events,
  inventoryProjection,
  NotPermittedError,
  ValidationError,
  type EventStore,
  type Inventory,
  type RetentionSweep,
} from '@custodian/core';
import { MASTER_KEY_ENV, openWritableKeyStore } from '../keys';
import { openStore, openWritableStore, storeChoice } from '../open-store';
import { toJson } from '../output/json';
import { count, table } from '../output/table';
import { showControls } from '../output/terminal';
import { loadPolicy } from '../policy';
import { stringOption, UsageError } from '../usage';
import { EXIT, type LedgerlessContext, type LedgerlessCommand } from './command';

const NAME = 'retention';

/** A category no purpose may keep any more at the moment judged. */
interface Due {
  readonly subjectId: string;
  readonly category: string;
  /** When the last purpose's retention ran out. */
  readonly retainUntil: string;
  readonly retention: Readonly<Record<string, string>>;
}

function nowFrom(values: LedgerlessContext['values']): Date {
  const text = stringOption(values, 'now');
  if (values['now'] !== undefined && text === undefined) throw new UsageError('--now needs a time', NAME);
  if (text === undefined) return new Date();
  const now = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(now.getTime())) throw new UsageError('--now must be an ISO 8601 time with an offset, like 2026-03-01T00:00:00Z', NAME);
  if (now.getTime() > Date.now()) throw new UsageError('--now must not be in the future: data is never erased ahead of its time', NAME);
  return now;
}

/** Every category held whose last retention has run out at `now`: one pass over the log, the inventory folded per subject. */
async function dueAt(store: EventStore, now: Date): Promise<Due[]> {
  const inventories = new Map<string, Inventory>();
  for await (const record of store.readAll()) applyToProjection(inventoryProjection, inventories, events.decode(record.data));
  return [...inventories.values()].flatMap((inventory) =>
    inventory.erased
      ? []
      : inventory.categories
          .filter((held) => Date.parse(held.retainUntil) <= now.getTime())
          .map((held) => ({ subjectId: inventory.subjectId, category: held.category, retainUntil: held.retainUntil, retention: held.retention ?? {} })),
  );
}

const dueTable = (due: readonly Due[]) =>
  table(
    [
      { header: 'subject', value: (d) => d.subjectId },
      { header: 'category', value: (d) => d.category },
      { header: 'no purpose keeps it since', value: (d) => d.retainUntil },
      {
        header: 'per purpose',
        value: (d) =>
          Object.entries(d.retention)
            .map(([purpose, end]) => `${purpose} until ${end}`)
            .join(', '),
      },
    ],
    due,
  );

async function listDue({ io, json, values }: LedgerlessContext, now: Date): Promise<number> {
  const opened = await openStore(storeChoice(values), io.cwd, NAME);
  try {
    const due = await dueAt(opened.store, now);
    if (json) io.stdout.write(toJson({ ledger: opened.label, now: now.toISOString(), due }));
    else
      io.stdout.write(
        due.length === 0
          ? `Nothing in ${showControls(opened.label)} is past its retention at ${now.toISOString()}.\n`
          : `${count(due.length, 'category', 'categories')} in ${showControls(opened.label)} past every purpose's retention at ${now.toISOString()}; custodian retention --enforce erases them:\n${dueTable(due)}`,
      );
    return EXIT.ok;
  } finally {
    await opened.close();
  }
}

function sweepText(sweep: RetentionSweep, label: string): string {
  if (sweep.erasures.length === 0) return `Nothing in ${showControls(label)} was past its retention at ${sweep.now}; nothing was erased.\n`;
  const categories = sweep.erasures.reduce((n, erasure) => n + erasure.categories.length, 0);
  const lines = sweep.erasures.map((erasure) => `  ${showControls(erasure.subjectId)}: ${erasure.categories.join(', ')} (event ${erasure.eventId})`);
  return `Erased ${count(categories, 'category', 'categories')} of ${count(sweep.erasures.length, 'subject')} in ${showControls(label)}, past every purpose's retention at ${sweep.now}:\n${lines.join('\n')}\n`;
}

async function enforce({ io, json, values }: LedgerlessContext, now: Date): Promise<number> {
  const keysDir = stringOption(values, 'keys');
  if (keysDir === undefined) throw new UsageError(`retention --enforce needs --keys <dir>: erasing destroys the keys kept there`, NAME);
  if (!existsSync(resolve(io.cwd, keysDir)) || !statSync(resolve(io.cwd, keysDir)).isDirectory()) throw new UsageError(`no key folder at ${resolve(io.cwd, keysDir)}`, NAME);
  const keys = openWritableKeyStore(keysDir, io.env, io.cwd, NAME);
  const roles = (stringOption(values, 'roles') ?? '').split(',').filter((role) => role !== '');
  const actor = { id: stringOption(values, 'actor') ?? 'custodian-retention', kind: 'service' as const, roles };

  const opened = await openWritableStore({ ...storeChoice(values), create: false }, io.cwd, NAME);
  const { store, label } = opened;
  try {
    const loaded = await loadPolicy(store, stringOption(values, 'policy'), io.cwd, NAME);
    if (!loaded) throw new UsageError('the log records no policy: pass --policy <file.json>', NAME);
    const sweep = await createLedger({ store, keys, policy: loaded.policy })
      .enforceRetention({ actor, now })
      .catch((error: unknown) => {
        if (error instanceof NotPermittedError || error instanceof ValidationError) throw new UsageError(error.message, NAME);
        throw error;
      });
    io.stdout.write(json ? toJson({ ledger: label, ...sweep }) : sweepText(sweep, label));
    return EXIT.ok;
  } finally {
    await opened.close();
  }
}

export const retention: LedgerlessCommand = {
  name: NAME,
  summary: 'what no purpose may keep any more; with --enforce, erase it by crypto-shredding',
  description: `Lists every category held that is past the retention of every purpose it was collected for, at --now (default: now): it reads the ledger and writes nothing. With --enforce it erases them (ledger.enforceRetention): each subject's keys of those categories are destroyed in --keys (the master key in ${MASTER_KEY_ENV}), then DataErased { scope: 'categories', reason: 'retention_expired' } is recorded, so --enforce writes to the ledger: a SQLite file (--db, which must exist) or PostgreSQL (--postgres <url>, which must hold one). The actor recording it (--actor, default custodian-retention) needs a role the policy gives enforceRetention (--roles: privacy, unless the policy names others). Idempotent and resumable: run it again, after a crash too, and what is already erased is not erased or recorded twice. --now may be in the past (to see what was due then), never in the future.`,
  ledger: 'writes',
  positionals: [],
  options: {
    now: { type: 'string', value: '<iso>', description: 'the moment retention is judged at (default: now; never in the future)' },
    enforce: { type: 'boolean', description: 'erase what is due: destroy its keys and record DataErased (--db or --postgres)' },
    keys: { type: 'string', value: '<dir>', description: `with --enforce: the key folder (createFileKeyStore); needs ${MASTER_KEY_ENV}` },
    policy: { type: 'string', value: '<file.json>', description: 'with --enforce: the policy (definePolicy input); default: the one the log records' },
    actor: { type: 'string', value: '<id>', description: 'with --enforce: the service recording the erasures (default custodian-retention)' },
    roles: { type: 'string', value: '<role,...>', description: "with --enforce: the actor's roles, those the policy requires for enforceRetention" },
  },
  examples: [
    'custodian retention --db custodian.db',
    'custodian retention --db custodian.db --now 2026-03-01T00:00:00Z --json',
    `${MASTER_KEY_ENV}=... custodian retention --enforce --db custodian.db --keys ./keys --roles privacy`,
  ],
  findings: '(not used by this command)',
  async run(context) {
    const now = nowFrom(context.values);
    return context.values['enforce'] === true ? enforce(context, now) : listDue(context, now);
  },
};
