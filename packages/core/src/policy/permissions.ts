import type { Actor } from '../events';
import { DEFAULT_ROLE, type Operation, type Policy } from './define-policy';
import type { UseRequest } from './rules';

/** The rights a subject may always exercise on their own data, whatever roles the policy names. */
export const SUBJECT_RIGHTS: ReadonlySet<Operation> = new Set<Operation>([
  'grantConsent',
  'withdrawConsent',
  'object',
  'restrict',
  'requestErasure',
  'requestAccess',
  'applyPrivacySignal',
]);

/** What a recipient is asked to do about a subject's data, and may confirm itself, whatever roles the policy names. */
export const RECIPIENT_CONFIRMATIONS: ReadonlySet<Operation> = new Set<Operation>(['confirmRecipientErasure', 'confirmRecipientNotice']);

/** Every write the ledger performs: the operations the policy grants roles for, and the uses the purposes grant roles for. */
export type LedgerOperation = Operation | UseRequest['operation'];

export interface PermissionRequest {
  readonly operation: LedgerOperation;
  readonly actor: Actor;
  /** The subject whose stream the operation writes to; absent for a recipient's stream. */
  readonly subjectId?: string | undefined;
  /** The recipient the command names, for a confirmation a recipient may make itself. */
  readonly recipientId?: string | undefined;
  /** For `collect`: the purposes the data is collected for. */
  readonly purposes?: readonly string[] | undefined;
}

export type PermissionRefusal = 'not_own_data' | 'role_missing';

export type Permission = { readonly ok: true } | { readonly ok: false; readonly reason: PermissionRefusal; readonly requiredRoles: readonly string[]; readonly detail: string };

/**
 * The roles that may perform an operation. Secure by default: an operation the policy names no
 * roles for is left to `privacy`, except `collect`, which is left to whoever acts for one of the
 * purposes the data is collected for.
 */
export function rolesFor(policy: Policy, operation: Operation, purposes: readonly string[] = []): readonly string[] {
  const named = policy.permissions[operation];
  if (named) return named;
  if (operation !== 'collect') return [DEFAULT_ROLE];
  return [...new Set(purposes.flatMap((purpose) => policy.purposes.get(purpose)?.roles ?? []))];
}

/**
 * May this actor perform this operation on this subject's stream? Pure. A subject acts only on
 * their own data, for every operation. A recipient confirms what it was asked to do (an erasure
 * or another notice) itself, in its own name only. Uses, accesses and shares are then judged by `checkUse`
 * (the purpose's roles), which records a refusal instead of throwing.
 */
export function mayPerform(policy: Policy, request: PermissionRequest): Permission {
  const { operation, actor, subjectId } = request;
  if (actor.kind === 'subject' && actor.id !== subjectId)
    return { ok: false, reason: 'not_own_data', requiredRoles: [], detail: `a subject may act only on their own data; ${operation} is refused` };
  if (operation === 'use' || operation === 'access' || operation === 'share') return { ok: true };
  // A subject actor still here is on their own stream.
  if (SUBJECT_RIGHTS.has(operation) && actor.kind === 'subject') return { ok: true };
  if (RECIPIENT_CONFIRMATIONS.has(operation) && actor.kind === 'recipient' && actor.id === request.recipientId) return { ok: true };
  const roles = rolesFor(policy, operation, request.purposes);
  if (actor.roles.some((role) => roles.includes(role))) return { ok: true };
  const needed = roles.length > 0 ? `one of the roles ${roles.join(', ')}` : 'a role of one of the purposes named, and they name none';
  return { ok: false, reason: 'role_missing', requiredRoles: roles, detail: `${operation} needs ${needed}; actor ${actor.id} has none` };
}
