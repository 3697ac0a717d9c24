import { brokenWords, events, eventTypes, verifyStore, type CustodianEvent } from '@custodian/core';
import { toJson } from '../output/json';
import { createProgress } from '../output/progress';
import { count, section, table } from '../output/table';
import { showControls } from '../output/terminal';
import { EXIT, type Command } from './command';

export const stats: Command = {
  name: 'stats',
  summary: 'counts: events by type, subjects, recipients, erasures, open requests, chain status',
  description:
    'Reads the whole log once, checking the hash chain on the way, and counts events by type, subjects, recipients by status, erasures, erasure requests not yet carried out, recipients that have not confirmed erasing their copy, notices of a correction, restriction or withdrawal recipients have not confirmed (GDPR Art. 19), and access requests not yet fulfilled.',
  positionals: [],
  options: {},
  examples: ['custodian stats', 'custodian stats --json'],
  findings: 'the chain is broken',
  async run({ io, json, opened }) {
    const tally = createTally();
    const progress = createProgress({ stream: io.stderr, label: 'Counting', total: opened.countEvents?.(), enabled: !json, delayMs: io.progressDelayMs });
    // One pass: verify walks the log, and every record it reads is counted on the way.
    const chain = await verifyStore(opened.store, { onRecord: (data) => tally.add(data), onProgress: (checked) => progress.update(checked) });
    progress.finish();
    const result = { ledger: opened.label, ...tally.result(), chain: { ok: chain.ok, checked: chain.checked, broken: chain.broken } };

    if (json) io.stdout.write(toJson(result));
    else {
      io.stdout.write(`Ledger ${opened.label}: ${count(result.events, 'event')}, chain ${chain.ok ? 'intact' : 'BROKEN'}.\n`);
      io.stdout.write(
        section(
          'Events by type',
          table(
            [
              { header: 'type', value: ([type]) => type },
              { header: 'count', value: ([, n]) => n.toLocaleString('en-US'), align: 'right' },
            ],
            Object.entries(result.eventsByType),
          ),
        ),
      );
      const recipients = Object.entries(result.recipientsByStatus)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
      const rows: [string, string][] = [
        ['subjects', String(result.subjects)],
        ['recipients', `${result.recipients}${recipients ? ` (${recipients})` : ''}`],
        ['erasures', String(result.erasures)],
        ['erasure requests not yet carried out', String(result.pendingErasureRequests)],
        ['pending erasure confirmations', String(result.pendingErasureConfirmations)],
        ['notices owed to recipients', String(result.pendingRecipientNotices)],
        ['open access requests', String(result.openAccessRequests)],
        ['policies recorded', String(result.policiesRecorded)],
        ...(result.unreadable > 0 ? [['unreadable records', String(result.unreadable)] as [string, string]] : []),
      ];
      io.stdout.write(
        section(
          'Ledger',
          table(
            [
              { header: 'what', value: ([what]) => what },
              { header: 'count', value: ([, n]) => n },
            ],
            rows,
          ),
        ),
      );
      io.stdout.write(
        section(
          'Chain',
          chain.ok
            ? `  intact: ${count(chain.checked, 'event')} checked, no link broken\n`
            : chain.broken.map((b) => `  BROKEN: ${showControls(b.stream)} at revision ${b.revision} (${showControls(b.eventId)}): ${brokenWords(b.reason)}\n`).join(''),
        ),
      );
    }
    return chain.ok ? EXIT.ok : EXIT.findings;
  },
};

/** The notices owed to recipients (Art. 19) not yet confirmed, by subject, change and recipient. */
function noticeTally() {
  const owed = new Set<string>();
  return {
    apply(event: CustodianEvent): void {
      if (event.type !== 'RecipientNoticeOwed' && event.type !== 'RecipientNoticeConfirmed') return;
      const key = `${event.subjectId ?? ''}\u0000${event.data.changeEventId}\u0000${event.data.recipientId}`;
      if (event.type === 'RecipientNoticeOwed') owed.add(key);
      else owed.delete(key);
    },
    size: () => owed.size,
  };
}

/** Counts kept while the log streams past, by type in catalog (lifecycle) order; only open items are held, never the log. */
function createTally() {
  const byType = new Map<string, number>(eventTypes.map((type) => [type, 0]));
  const subjects = new Set<string>();
  const recipients = new Map<string, string>();
  const erased = new Set<string>();
  const erasureAsked = new Set<string>();
  const awaitingConfirmation = new Set<string>();
  const noticesOwed = noticeTally();
  const openRequests = new Set<string>();
  let total = 0;
  let unreadable = 0;

  function apply(event: CustodianEvent): void {
    byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    noticesOwed.apply(event);
    if (event.subjectId !== undefined) subjects.add(event.subjectId);
    const subject = event.subjectId ?? '';
    switch (event.type) {
      case 'RecipientRegistered':
        recipients.set(event.data.recipientId, 'registered');
        break;
      case 'RecipientVerified':
        recipients.set(event.data.recipientId, 'verified');
        break;
      case 'RecipientSuspended':
        recipients.set(event.data.recipientId, 'suspended');
        break;
      case 'ErasureRequested':
        erasureAsked.add(subject);
        break;
      case 'DataErased':
        // Some categories erased, the subject kept: not an erased subject.
        if (event.data.scope === 'categories') break;
        erased.add(subject);
        erasureAsked.delete(subject);
        for (const recipientId of event.data.recipientsNotified) awaitingConfirmation.add(`${subject}\u0000${recipientId}`);
        break;
      case 'RecipientErasureConfirmed':
        awaitingConfirmation.delete(`${subject}\u0000${event.data.recipientId}`);
        break;
      case 'AccessRequestReceived':
        openRequests.add(event.id);
        break;
      case 'AccessRequestFulfilled':
        openRequests.delete(event.data.requestEventId);
        break;
      default:
    }
  }

  return {
    add(data: Uint8Array): void {
      total++;
      let event: CustodianEvent;
      try {
        event = events.decode(data);
      } catch {
        // verify reports the record; the counts go on.
        unreadable++;
        return;
      }
      apply(event);
    },
    result() {
      const recipientsByStatus: Record<string, number> = {};
      for (const status of recipients.values()) recipientsByStatus[status] = (recipientsByStatus[status] ?? 0) + 1;
      return {
        events: total,
        eventsByType: Object.fromEntries([...byType].filter(([, n]) => n > 0)),
        subjects: subjects.size,
        recipients: recipients.size,
        recipientsByStatus,
        erasures: erased.size,
        pendingErasureRequests: erasureAsked.size,
        pendingErasureConfirmations: awaitingConfirmation.size,
        pendingRecipientNotices: noticesOwed.size(),
        openAccessRequests: openRequests.size,
        policiesRecorded: byType.get('PolicyDefined') ?? 0,
        unreadable,
      };
    },
  };
}
