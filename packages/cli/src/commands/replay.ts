import {
  applyToProjection,
  asOfFilter,
  consentProjection,
  consentStateAt,
  events,
  recipientsProjection,
  subjectAt,
  type AsOf,
  type ConsentRecord,
  type CustodianEvent,
  type RecipientEntry,
} from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { consentRows, consentTable, historyTable, inventoryText, recipientsTable, writeConsentTable } from '../output/ledger-tables';
import { count, section } from '../output/table';
import { showControls } from '../output/terminal';
import { stringOption, UsageError } from '../usage';
import { describeAt, parseAt } from './at';
import { EXIT, type Command, type CommandContext } from './command';
import { subjectExists } from './subjects';

export const replay: Command = {
  name: 'replay',
  summary: 'the state of the ledger at a past moment: consent per subject, and the recipients',
  description:
    "Replays the log up to a global position (inclusive) or a time, and prints each subject's consent state as it stood then, and the recipients. With --subject, one subject's consent state, history (every use, access, share and refusal) and inventory. A time is matched against each event's recordedAt, and a backfilled event's original time (occurredAt); use a position for an exact cut.",
  positionals: [],
  options: {
    at: { type: 'string', value: '<time|position>', description: 'a global position (42) or an ISO 8601 time (2026-03-01T10:00:00Z); required' },
    subject: { type: 'string', value: '<id>', description: "show one subject's consent state, history and inventory" },
  },
  examples: ['custodian replay --at 5', 'custodian replay --at 2026-03-01T10:00:00Z --subject cust-4f9a2c', 'custodian replay --at 5 --json'],
  async run({ io, json, opened, values }) {
    const atText = stringOption(values, 'at');
    if (atText === undefined) throw new UsageError('replay needs --at <time|position>', 'replay');
    const at = parseAt(atText, 'replay');
    const subjectId = stringOption(values, 'subject');
    if (subjectId !== undefined) return replaySubject({ io, json, opened }, subjectId, at);

    // The events up to a position can be counted; up to a time they are not known until read, so the bar counts without a total.
    const total = typeof at === 'bigint' ? opened.countEvents?.(at) : undefined;
    const progress = createProgress({ stream: io.stderr, label: 'Replaying', total, enabled: !json, delayMs: io.progressDelayMs });
    const verdictOn = asOfFilter(at);
    const consents = new Map<string, Readonly<Record<string, ConsentRecord>>>();
    const recipients = new Map<string, RecipientEntry>();
    const subjects = new Set<string>();
    let last: CustodianEvent | undefined;
    let replayed = 0;
    for await (const record of opened.store.readAll()) {
      const event = events.decode(record.data);
      // As the ledger's read side does: the live events are a prefix of the log, a state
      // that really existed, and a backfilled event counts from its original time.
      const verdict = verdictOn(record, event);
      if (verdict === 'stop') break;
      if (verdict === 'skip') continue;
      progress.update(++replayed);
      last = event;
      if (event.subjectId !== undefined) subjects.add(event.subjectId);
      applyToProjection(consentProjection, consents, event);
      applyToProjection(recipientsProjection, recipients, event);
    }
    progress.finish();

    // Consent expiry is judged at the moment itself: for a position, when its last event was recorded.
    const moment = at instanceof Date ? at : last ? new Date(last.recordedAt) : new Date();
    const consentOf = (id: string) => consentStateAt(consents.get(id) ?? {}, moment);
    const registry = [...recipients.values()].sort((a, b) => a.recipientId.localeCompare(b.recipientId));
    const asOf = { at: typeof at === 'bigint' ? { position: at } : { time: at.toISOString() }, moment: moment.toISOString(), events: replayed };

    if (json) {
      const body = { subjects: [...subjects].map((id) => ({ subjectId: id, consent: consentOf(id) })) };
      io.stdout.write(toJson({ ledger: opened.label, ...asOf, ...body, recipients: registry }));
      return EXIT.ok;
    }

    const when = `${describeAt(at)}${typeof at === 'bigint' && last ? ` (recorded by ${moment.toISOString()})` : ''}`;
    io.stdout.write(`The ledger at ${when}: ${count(replayed, 'event')}, ${count(subjects.size, 'subject')}, ${count(registry.length, 'recipient')}.\n`);
    io.stdout.write('\nConsent by subject\n');
    writeConsentTable(
      (chunk) => io.stdout.write(chunk),
      function* () {
        for (const id of subjects) yield* consentRows(id, consentOf(id));
      },
    );
    io.stdout.write(section('Recipients', recipientsTable(registry)));
    return EXIT.ok;
  },
};

/**
 * One subject at the moment, from their stream and the recipient streams it names (core's
 * `subjectAt`): one customer's events, not the log, so no progress bar. The recipients
 * shown are the ones the subject's history names, with what this subject's data sent them.
 */
async function replaySubject({ io, json, opened }: Pick<CommandContext, 'io' | 'json' | 'opened'>, subjectId: string, at: AsOf): Promise<number> {
  if (!(await subjectExists(opened.store, subjectId))) throw new UsageError(`the ledger holds nothing about subject ${subjectId}`, 'replay');
  const subject = await subjectAt(opened.store, subjectId, at);
  const { moment, known, consent, history, inventory, recipients } = subject;
  if (subject.chain?.ok === false) io.stderr.write(`custodian: the chain of subject ${showControls(subjectId)} is broken; the replay stops before the broken link\n`);
  if (json) {
    const asOf = { at: typeof at === 'bigint' ? { position: at } : { time: at.toISOString() }, moment: moment.toISOString(), events: subject.events };
    io.stdout.write(toJson({ ledger: opened.label, ...asOf, subject: { subjectId, known, consent, history, inventory }, recipients }));
    return EXIT.ok;
  }
  const when = `${describeAt(at)}${subject.momentRecorded ? ` (recorded by ${moment.toISOString()})` : ''}`;
  io.stdout.write(`Subject ${showControls(subjectId)} at ${when}${known ? '' : ': nothing had been recorded about them yet'}.\n`);
  io.stdout.write(section('Consent', consentTable(consentRows(subjectId, consent), false)));
  io.stdout.write(section('History', historyTable(history)));
  io.stdout.write(section('Inventory', inventoryText(inventory)));
  io.stdout.write(section('Recipients', recipientsTable(recipients)));
  return EXIT.ok;
}
