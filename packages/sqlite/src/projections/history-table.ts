import type Database from 'better-sqlite3';
import { historyProjection } from '@custodian/core';
import { list, utc } from './columns';
import type { TableWriter } from './table';

/**
 * `access_history`: core's history fold, one row per access, use, share or refusal. The fold
 * only ever appends to a subject's history, so evolving an empty history gives exactly the
 * lines this event adds, without reading the subject's earlier ones back.
 */
export function historyTable(db: Database.Database): TableWriter {
  // Positional parameters: cheaper to bind than sixteen named ones, once per row.
  const insert = db.prepare(`
    INSERT INTO access_history (event_id, position, subject_id, at, kind, operation, actor_id, actor_kind, purpose, categories,
                                activity, recipient_id, legal_basis, consent_event_id, reason, detail)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  return {
    apply(event, record) {
      for (const subjectId of historyProjection.keysOf(event)) {
        for (const entry of historyProjection.evolve(historyProjection.initial(subjectId), event)) {
          insert.run(
            entry.eventId,
            record.position,
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
          );
        }
      }
    },
  };
}

function operationOf(kind: 'accessed' | 'used' | 'shared'): 'access' | 'use' | 'share' {
  return kind === 'accessed' ? 'access' : kind === 'used' ? 'use' : 'share';
}
