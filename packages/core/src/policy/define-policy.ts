import { z } from 'zod';
import { Category, IsoDuration, LegalBasis, Purpose } from '../events';
import { ValidationError } from '../errors';

const Role = z.string().min(1).max(100);

const distinct = (list: readonly string[]) => new Set(list).size === list.length;

export const PurposeRule = z.strictObject({
  legalBasis: LegalBasis,
  categories: z.array(Category).min(1, 'must name at least one category').refine(distinct, 'names a category twice'),
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
const PurposeList = z.array(NamedPurpose).min(1, 'must declare at least one purpose');
const PurposeRecord = z.record(Purpose, PurposeRule);

const PolicyInput = z.strictObject({
  /** By name, or as a list (where a duplicate name is caught). */
  purposes: z.custom<z.input<typeof PurposeList> | z.input<typeof PurposeRecord>>((v) => typeof v === 'object' && v !== null, 'must be an object of purposes by name, or a list of named purposes'),
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
  // Parsed apart from the envelope, so each failure names its own purpose and field.
  const list = Array.isArray(parsed.data.purposes) ? PurposeList.safeParse(parsed.data.purposes) : PurposeRecord.safeParse(parsed.data.purposes);
  if (!list.success) throw ValidationError.fromZod('policy', list.error, 'purposes');
  const purposes = new Map<string, PurposeRule>();
  if (Array.isArray(list.data)) {
    const duplicates: { path: string; message: string }[] = [];
    list.data.forEach(({ name, ...rule }, i) => {
      if (purposes.has(name)) duplicates.push({ path: `purposes.${i}.name`, message: `duplicate purpose ${name}` });
      purposes.set(name, rule);
    });
    if (duplicates.length > 0) throw new ValidationError('policy', duplicates);
  } else {
    if (Object.keys(list.data).length === 0) throw new ValidationError('policy', [{ path: 'purposes', message: 'must declare at least one purpose' }]);
    for (const [name, rule] of Object.entries(list.data)) purposes.set(name, rule);
  }
  return { purposes, permissions: parsed.data.permissions };
}
