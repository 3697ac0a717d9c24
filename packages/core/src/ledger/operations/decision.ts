import type { CustodianEvent } from '../../events';
import type { Decision } from '../ledger';

/** A recorded use, access or share, or its refusal, as the caller gets it back. */
export function toDecision(event: CustodianEvent): Decision {
  if (event.type === 'UseDenied') return { allowed: false, reason: event.data.reason, detail: event.data.detail, event };
  if (event.type === 'DataUsed' || event.type === 'DataAccessed' || event.type === 'DataShared') return { allowed: true, basis: event.data.basis, event };
  throw new TypeError(`${event.type} is not a decision`);
}
