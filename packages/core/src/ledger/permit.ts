import type { Actor } from '../events';
import { mayPerform, type LedgerOperation, type Policy } from '../policy';
import { NotPermittedError } from './errors';

/** The policy's permission rule (`mayPerform`), thrown as `NotPermittedError` when it refuses. */
export function permit(
  policy: Policy,
  operation: LedgerOperation,
  on: { readonly actor: Actor; readonly subjectId?: string; readonly recipientId?: string },
  purposes?: readonly string[],
): void {
  const { actor, subjectId, recipientId } = on;
  const permission = mayPerform(policy, { operation, actor, subjectId, recipientId, purposes });
  if (!permission.ok) throw new NotPermittedError(operation, actor.id, permission.requiredRoles, permission.reason, permission.detail);
}
