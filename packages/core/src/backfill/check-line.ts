import { parseOrThrow, ValidationError } from '../errors';
import type { Actor } from '../events';
import { mayPerform } from '../policy';
import { BackfillLineError } from './errors';
import { backfillEventId } from './ids';
import { lineIssues, type LinePlace } from './plan';
import { BackfillRecord } from './record';
import type { BackfillTarget } from './target';

/** One line to write: its place, its record, and the first event id it makes (how a rerun knows it landed). */
export interface Line {
  readonly place: LinePlace;
  readonly record: BackfillRecord;
  readonly firstId: string;
}

/**
 * Reads an item of the import (a record, or a line of JSON text) and checks it whole: its
 * shape, the policy and the time (`lineIssues`), and the actor's permission for every
 * operation it records. Returns the line to write, undefined for a blank line, or throws its
 * `BackfillLineError`.
 */
export function checkLine(target: Pick<BackfillTarget, 'policy' | 'clock'>, importId: string, actor: Actor, item: unknown, line: number): Line | undefined {
  const { policy } = target;
  const reject = (reason: 'invalid' | 'not_permitted', issues: BackfillLineError['issues'], cause?: unknown) => new BackfillLineError(importId, line, reason, issues, cause);
  let input = item;
  if (typeof item === 'string') {
    if (item.trim() === '') return undefined;
    try {
      input = JSON.parse(item);
    } catch {
      // Not the parser's message: it quotes the line, which holds personal values.
      throw reject('invalid', [{ path: '', message: 'is not valid JSON' }]);
    }
  }
  let record: BackfillRecord;
  try {
    record = parseOrThrow(BackfillRecord, input, `line ${line}`);
  } catch (error) {
    if (error instanceof ValidationError) throw reject('invalid', error.issues, error);
    throw error;
  }
  const now = target.clock();
  const issues = lineIssues(record, policy, now);
  if (issues.length > 0) throw reject('invalid', issues);
  const { subjectId } = record;
  const requests = [
    ...record.collections.map((collection) => ({ operation: 'collect' as const, purposes: collection.purposes })),
    ...record.consents.flatMap((consent) => [{ operation: 'grantConsent' as const }, ...(consent.withdrawnAt ? [{ operation: 'withdrawConsent' as const }] : [])]),
  ];
  for (const request of requests) {
    const permission = mayPerform(policy, { ...request, actor, subjectId });
    if (!permission.ok) throw reject('not_permitted', [{ path: '', message: permission.detail }]);
  }
  return { place: { importId, line, subjectId, actor, now }, record, firstId: backfillEventId(importId, line, 0) };
}
