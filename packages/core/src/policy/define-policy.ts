import { z } from 'zod';
import { Category, IsoDuration, LegalBasis, PrivacySignal, Purpose, Role } from '../events';
import { parseOrThrow, ValidationError } from '../errors';

/** More than this many categories or roles on one purpose is a policy no one can review. */
const MOST_NAMES = 64;

const distinct = (list: readonly string[]) => new Set(list).size === list.length;

export const PurposeRule = z.strictObject({
  legalBasis: LegalBasis,
  categories: z.array(Category).min(1, 'must name at least one category').max(MOST_NAMES).refine(distinct, 'names a category twice'),
  roles: z.array(Role).min(1, 'must name at least one role').max(MOST_NAMES).refine(distinct, 'names a role twice'),
  /** Whether data may be shared with recipients for this purpose. */
  sharing: z.boolean().default(false),
  /** How long data collected for this purpose is kept, as an ISO 8601 duration. */
  retention: IsoDuration,
  description: z.string().max(500).optional(),
  /**
   * The opt-out signals that opt a subject out of this purpose: `['gpc']` on every purpose that
   * sells personal data, shares it for cross-context behavioural advertising or uses it for
   * targeted advertising (CCPA/CPRA, Colorado, Connecticut and the other state laws that
   * make a browser's Global Privacy Control an opt-out). Absent: no signal touches it.
   */
  optOutSignals: z.array(PrivacySignal).min(1, 'must name at least one signal, or be left out').max(MOST_NAMES).refine(distinct, 'names a signal twice').optional(),
  /**
   * Whether the purpose is direct marketing (GDPR Art. 21(2)): an objection stops it whatever
   * its legal basis, and only a new grant by the subject herself starts it again (Art. 21(3)).
   */
  directMarketing: z.boolean().optional(),
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
  'confirmRecipientNotice',
  'requestErasure',
  'erase',
  'enforceRetention',
  'requestAccess',
  'extendRequestDeadline',
  'applyPrivacySignal',
  'recordEvent',
]);
export type Operation = z.infer<typeof Operation>;

/** The role an administrative operation, or a right exercised for someone else, needs when the policy names none. */
export const DEFAULT_ROLE = 'privacy';

const NamedPurpose = PurposeRule.extend({ name: Purpose });
const PurposeList = z.array(NamedPurpose).min(1, 'must declare at least one purpose');
const PurposeRecord = z.record(Purpose, PurposeRule);

const PolicyInput = z.strictObject({
  /** By name, or as a list (where a duplicate name is caught). */
  purposes: z.custom<z.input<typeof PurposeList> | z.input<typeof PurposeRecord>>(
    (v) => typeof v === 'object' && v !== null,
    'must be an object of purposes by name, or a list of named purposes',
  ),
  /**
   * The roles that may perform each operation. An operation absent here is left to the
   * `privacy` role, except `collect`, left to the roles of the purposes collected for.
   * The subject themself may always exercise their own rights (consent, objection,
   * restriction, erasure and access requests) on their own data.
   */
  permissions: z.partialRecord(Operation, z.array(Role).min(1).max(MOST_NAMES).refine(distinct, 'names a role twice')).default({}),
});
export type PolicyInput = z.input<typeof PolicyInput>;

export interface Policy {
  readonly purposes: ReadonlyMap<string, PurposeRule>;
  /**
   * The roles allowed each operation. From `definePolicy`, every operation is listed with the
   * roles in effect (the defaults filled in); only `collect` may be absent, when it is left to
   * the roles of the purposes named. An operation missing from a policy built by hand gets the
   * same defaults.
   */
  readonly permissions: Readonly<Partial<Record<Operation, readonly string[]>>>;
}

/**
 * A purpose's name or an operation is the policy's own vocabulary, recorded in plaintext by
 * `PolicyDefined`: an error may name it. Any other key is shown by place, length and tag.
 */
const isVocabulary = (key: string) => Purpose.safeParse(key).success || Operation.safeParse(key).success;

/** The declared permissions with the default filled in for every operation but `collect`, whose default depends on the purposes named. */
function effectivePermissions(declared: Readonly<Partial<Record<Operation, readonly string[]>>>): Partial<Record<Operation, readonly string[]>> {
  const filled: Partial<Record<Operation, readonly string[]>> = {};
  for (const operation of Operation.options) {
    const roles = declared[operation] ?? (operation === 'collect' ? undefined : [DEFAULT_ROLE]);
    if (roles) filled[operation] = roles;
  }
  return filled;
}

/** Validates a policy: an unknown legal basis, an empty category list or a duplicate purpose is refused by name. */
export function definePolicy(input: PolicyInput): Policy {
  const parsed = parseOrThrow(PolicyInput, input, 'policy', { nameKey: isVocabulary });
  // Parsed apart from the envelope, so each failure names its own purpose and field.
  const list = Array.isArray(parsed.purposes)
    ? parseOrThrow(PurposeList, parsed.purposes, 'policy', { prefix: 'purposes', nameKey: isVocabulary })
    : parseOrThrow(PurposeRecord, parsed.purposes, 'policy', { prefix: 'purposes', nameKey: isVocabulary });
  const purposes = new Map<string, PurposeRule>();
  if (Array.isArray(list)) {
    const first = new Map<string, number>();
    const duplicates: { path: string; message: string }[] = [];
    list.forEach(({ name, ...rule }, i) => {
      const earlier = first.get(name);
      if (earlier !== undefined) duplicates.push({ path: `purposes.${i}.name`, message: `names the same purpose as purposes.${earlier}` });
      else first.set(name, i);
      purposes.set(name, rule);
    });
    if (duplicates.length > 0) throw new ValidationError('policy', duplicates);
  } else {
    if (Object.keys(list).length === 0) throw new ValidationError('policy', [{ path: 'purposes', message: 'must declare at least one purpose' }]);
    for (const [name, rule] of Object.entries(list)) purposes.set(name, rule);
  }
  return { purposes, permissions: effectivePermissions(parsed.permissions) };
}
