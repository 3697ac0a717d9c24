import { hash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../crypto';
import { decideSubject, type SubjectState } from '../../decider';
import { parseOrThrow } from '../../errors';
import type { LedgerContext } from '../context';
import type { AccessRequestResult } from '../ledger';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const RequestAccessInput = z.strictObject({ ...OnSubject, right: z.enum(['access', 'portability']).default('access') });
export type RequestAccessInput = z.input<typeof RequestAccessInput>;

/** Records an Art. 15/20 request, hands over the export, and records its SHA-256 as fulfilled. */
export async function requestAccess(context: LedgerContext, raw: RequestAccessInput): Promise<AccessRequestResult> {
  const { policy } = context;
  const command = parseOrThrow(RequestAccessInput, raw, 'requestAccess');
  permit(policy, 'requestAccess', command);
  const { right } = command;
  const received = await single(onSubject(context, command, (state, now) => decideSubject({ type: 'requestAccess', right, now }, state, policy), context.retry.rights));
  const report = await context.exportSubject(command.subjectId);
  const json = canonicalJson(report);
  const digest = hash('sha256', json, 'hex');
  const fulfil = (state: SubjectState) => decideSubject({ type: 'fulfilAccessRequest', requestEventId: received.id, digest }, state, policy);
  const fulfilled = await single(onSubject(context, { ...command, causationId: received.id }, fulfil, context.retry.rights));
  return { export: report, json, digest, received, fulfilled };
}
