import { z } from 'zod';
import { Category, IsoDuration, LegalBasis, Purpose } from './common';
import { PrivacySignal } from './consent';

/**
 * The policy a ledger decided under, recorded when it first writes with a policy the
 * log does not hold yet, so an audit judges each decision by the rules then in force.
 */
export const PolicyDefined = z.object({
  purposes: z.array(
    z.object({
      name: Purpose,
      legalBasis: LegalBasis,
      categories: z.array(Category).min(1),
      roles: z.array(z.string().min(1)).min(1),
      sharing: z.boolean(),
      retention: IsoDuration,
      description: z.string().max(500).optional(),
      /** Absent on purposes that name none, and on every policy recorded before signals were: read as none. */
      optOutSignals: z.array(PrivacySignal).optional(),
      directMarketing: z.boolean().optional(),
    }),
  ),
  permissions: z.record(z.string(), z.array(z.string().min(1))),
  /** SHA-256 of the canonical JSON of `{ purposes, permissions }`. */
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 digest'),
});

export const policyEvents = {
  PolicyDefined: { schemaVersion: 1, schema: PolicyDefined },
} as const;
