import { actorTrail, actorWords, recipientTrail, ValidationError, type TrailEntry } from '@custodian/core';
import { toJson } from '../output/json';
import { count, table, type Column } from '../output/table';
import { showControls as s } from '../output/terminal';
import { stringOption, UsageError } from '../usage';
import { parseTime } from './at';
import { EXIT, type Command } from './command';

export const history: Command = {
  name: 'history',
  summary: 'everything one actor did, or everything one recipient received, across subjects, in a time range',
  description:
    "An auditor's questions across subjects, answered from the whole log in global order. With --actor, every event that actor recorded: collections, consents taken, uses, reads, shares, refusals, erasures, recipients registered. With --recipient, everything that recipient received and was told: each share of a subject's data with it, each share revoked, each erasure notice (GDPR Art. 19) and its confirmation, and its own registration, verification and suspension; a refused share is not listed, since nothing reached it. --from and --to bound when the events happened (occurredAt): from included, to left out.",
  positionals: [],
  options: {
    actor: { type: 'string', value: '<id>', description: 'the actor whose acts to list (an employee number, a service name)' },
    recipient: { type: 'string', value: '<id>', description: 'the recipient whose receipts to list' },
    from: { type: 'string', value: '<time>', description: 'the first moment included, ISO 8601 (2026-03-01 or 2026-03-01T10:00:00Z)' },
    to: { type: 'string', value: '<time>', description: 'the first moment left out, ISO 8601' },
  },
  examples: [
    'custodian history --actor campaign-service',
    'custodian history --actor dpo@retailer --from 2026-03-01 --to 2026-04-01',
    'custodian history --recipient brightmail-agency --json',
  ],
  async run({ io, json, opened, values }) {
    for (const name of ['actor', 'recipient', 'from', 'to'])
      if (values[name] !== undefined && stringOption(values, name) === undefined) throw new UsageError(`--${name} needs a value`, 'history');
    const actorId = stringOption(values, 'actor');
    const recipientId = stringOption(values, 'recipient');
    if ((actorId === undefined) === (recipientId === undefined)) throw new UsageError('history needs one of --actor <id> or --recipient <id>', 'history');
    const fromText = stringOption(values, 'from');
    const toText = stringOption(values, 'to');
    const from = fromText === undefined ? undefined : parseTime(fromText, 'from', 'history');
    const to = toText === undefined ? undefined : parseTime(toText, 'to', 'history');
    if (from && to && from.getTime() >= to.getTime()) throw new UsageError('--to must be after --from', 'history');

    const range = { ...(from && { from }), ...(to && { to }) };
    const entries = await (actorId !== undefined ? actorTrail(opened.store, actorId, range) : recipientTrail(opened.store, recipientId ?? '', range)).catch((error: unknown) => {
      // The range is checked above, so what core refuses is the id.
      if (error instanceof ValidationError) throw new UsageError(`--${actorId !== undefined ? 'actor' : 'recipient'}: ${error.issues[0]?.message ?? 'is not an id'}`, 'history');
      throw error;
    });
    const asked = actorId !== undefined ? { actor: actorId } : { recipient: recipientId };
    if (json) io.stdout.write(toJson({ ledger: opened.label, ...asked, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, count: entries.length, entries }));
    else
      io.stdout.write(
        textHistory(
          opened.label,
          actorId !== undefined ? `actor ${s(actorId)} did` : `recipient ${recipientId ?? ''} received and was told`,
          from,
          to,
          entries,
          actorId === undefined,
        ),
      );
    return EXIT.ok;
  },
};

function textHistory(ledger: string, asked: string, from: Date | undefined, to: Date | undefined, entries: readonly TrailEntry[], withActor: boolean): string {
  const range = from || to ? ` ${from ? `from ${from.toISOString()}` : ''}${from && to ? ' ' : ''}${to ? `until before ${to.toISOString()}` : ''}` : '';
  const columns: Column<TrailEntry>[] = [
    { header: 'at (UTC)', value: (e) => e.at },
    { header: 'subject', value: (e) => e.subjectId ?? '' },
    ...(withActor ? [{ header: 'actor', value: (e: TrailEntry) => actorWords(e.actor, e.subjectId ?? '') }] : []),
    { header: 'event', value: (e) => e.eventType },
    { header: 'details', value: (e) => `${e.what}${e.activity ? ` Activity: ${e.activity}.` : ''}${e.why ? ` ${e.why}` : ''}` },
    { header: 'basis or reason', value: basisOrReason },
    { header: 'event id', value: (e) => e.eventId },
  ];
  return `Everything ${asked} in ${ledger}${range}: ${count(entries.length, 'event')}.\n\n${table(columns, entries, 'nothing recorded')}`;
}

function basisOrReason(entry: TrailEntry): string {
  if (entry.reason) return `refused: ${entry.reason}`;
  if (!entry.basis) return '';
  return `${entry.basis.legalBasis}${entry.basis.consentEventId ? ` (consent ${entry.basis.consentEventId})` : ''}`;
}
