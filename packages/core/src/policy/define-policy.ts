import { z } from 'zod';
import { Category, IsoDuration, LegalBasis, Purpose } from '../events';
import { ValidationError } from '../errors';

const Role = z.string().min(1).max(100);

export const PurposeRule = z.object({
  legalBasis: LegalBasis,
  categories: z.array(Category).min(1, 'must name at least one category'),
  roles: z.array(Role).min(1, 'must name at least one role'),
  /** Whether data may be shared with recipients for this purpose. */
  sharing: z.boolean().default(false),
  /** How long data collected for this purpose is kept, as an ISO 8601 duration. */
  retention: IsoDuration,
  description: z.string().max(500).optional(),
});
export type PurposeRule = z.infer<typeof PurposeRule>;
export type PurposeRuleInput = z.input<typeof PurposeRule>;

/** Operations that change the ledger but are not uses of data, each limited to some roles. */
export const Operation = z.enum([
  'collect',
  'rectify',
  'grantConsent',
  'withdrawConsent',
  'object',
  'restrict',
  'liftRestriction',
  'registerRecipient',
  'verifyRecipient',
  'suspendRecipient',
  'revokeShare',
  'confirmRecipientErasure',
  'requestErasure',
  'erase',
  'requestAccess',
]);
export type Operation = z.infer<typeof Operation>;

const NamedPurpose = PurposeRule.extend({ name: Purpose });

const PolicyInput = z.object({
  /** By name, or as a list (where a duplicate name is caught). */
  purposes: z.union([z.record(Purpose, PurposeRule), z.array(NamedPurpose).min(1, 'must declare at least one purpose')]),
  /**
   * The roles that may perform each operation; an operation absent here is open to any
   * actor. The subject themself may always exercise their own rights (consent,
   * objection, restriction, erasure and access requests).
   */
  permissions: z.partialRecord(Operation, z.array(Role).min(1)).default({}),
});
export type PolicyInput = z.input<typeof PolicyInput>;

export interface Policy {
  readonly purposes: ReadonlyMap<string, PurposeRule>;
  readonly permissions: Readonly<Partial<Record<Operation, readonly string[]>>>;
}

/** Validates a policy: an unknown legal basis, an empty category list or a duplicate purpose is refused by name. */
export function definePolicy(input: PolicyInput): Policy {
  const parsed = PolicyInput.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod('policy', parsed.error);
  const purposes = new Map<string, PurposeRule>();
  if (Array.isArray(parsed.data.purposes)) {
    const duplicates: { path: string; message: string }[] = [];
    parsed.data.purposes.forEach(({ name, ...rule }, i) => {
      if (purposes.has(name)) duplicates.push({ path: `purposes.${i}.name`, message: `duplicate purpose ${name}` });
      purposes.set(name, rule);
    });
    if (duplicates.length > 0) throw new ValidationError('policy', duplicates);
  } else {
    if (Object.keys(parsed.data.purposes).length === 0) throw new ValidationError('policy', [{ path: 'purposes', message: 'must declare at least one purpose' }]);
    for (const [name, rule] of Object.entries(parsed.data.purposes)) purposes.set(name, rule);
  }
  return { purposes, permissions: parsed.data.permissions };
}
