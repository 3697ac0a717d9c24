import { historyProjection } from '@custodian/core';
import { columns, list, utc } from './columns';
import { statement } from './sql';
import type { TableWriter } from './table';

// Sixteen arrays, one statement for the batch's rows. A row already there is an event
// applied twice: the primary key refuses it, and the batch with it.
const insert = statement(
  'history.insert',
  `INSERT INTO access_history (event_id, position, subject_id, at, kind, operation, actor_id, actor_kind, purpose, categories,
                               activity, recipient_id, legal_basis, consent_event_id, reason, detail)
   SELECT event_id, position, subject_id, at, kind, operation, actor_id, actor_kind, purpose, categories::jsonb,
          activity, recipient_id, legal_basis, consent_event_id, reason, detail
   FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
               $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
     AS row (event_id, position, subject_id, at, kind, operation, actor_id, actor_kind, purpose, categories,
             activity, recipient_id, legal_basis, consent_event_id, reason, detail)`,
);

/**
 * `access_history`: core's history fold, one row per access, use, share or refusal. The fold
 * only ever appends to a subject's history, so evolving an empty history gives exactly the
 * lines this event adds, without reading the subject's earlier ones back.
 */
export function historyTable(): TableWriter {
  return {
    async write(client, batch) {
      const rows = columns(16);
      for (const { event, record } of batch) {
        for (const subjectId of historyProjection.keysOf(event)) {
          for (const entry of historyProjection.evolve(historyProjection.initial(subjectId), event)) {
            rows.push([
              entry.eventId,
              record.position.toString(),
              subjectId,
              utc(entry.at),
              entry.kind,
              // A refusal says what was refused; for the others the kind already says it.
              entry.operation ?? (entry.kind === 'denied' ? null : operationOf(entry.kind)),
              entry.actor.id,
              entry.actor.kind,
              entry.purpose,
              list(entry.categories),
              entry.activity ?? null,
              entry.recipientId ?? null,
              entry.basis?.legalBasis ?? null,
              entry.basis?.consentEventId ?? null,
              entry.reason ?? null,
              entry.detail ?? null,
            ]);
          }
        }
      }
      if (rows.length > 0) await insert(client, rows.arrays);
    },
  };
}

function operationOf(kind: 'accessed' | 'used' | 'shared'): 'access' | 'use' | 'share' {
  return kind === 'accessed' ? 'access' : kind === 'used' ? 'use' : 'share';
}
