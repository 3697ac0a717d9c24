import { z } from 'zod';
import { Notice, Purpose, Sealed, Timestamp } from './common';

/** How consent was given or withdrawn (Fides' methods, plus the channels a service records). */
export const ConsentMethod = z.enum(['web-form', 'checkbox', 'email', 'phone', 'paper', 'in-person', 'api', 'gpc']);

export const ConsentGranted = z.object({
  purpose: Purpose,
  notice: Notice,
  method: ConsentMethod,
  /** What was shown or signed, sealed: it may hold personal data. */
  evidence: Sealed.optional(),
  expiresAt: Timestamp.optional(),
});

export const ConsentWithdrawn = z.object({
  purpose: Purpose,
  method: ConsentMethod.optional(),
});

/** Art. 21: an objection to processing based on legitimate interests (or public task). */
export const ObjectionRaised = z.object({
  /** The purposes objected to; absent means every purpose on those bases. */
  purposes: z.array(Purpose).min(1).optional(),
  reason: Sealed.optional(),
});

export const ProcessingRestricted = z.object({ reason: Sealed.optional() });
export const RestrictionLifted = z.object({});

export const consentEvents = {
  ConsentGranted: { schemaVersion: 1, schema: ConsentGranted },
  ConsentWithdrawn: { schemaVersion: 1, schema: ConsentWithdrawn },
  ObjectionRaised: { schemaVersion: 1, schema: ObjectionRaised },
  ProcessingRestricted: { schemaVersion: 1, schema: ProcessingRestricted },
  RestrictionLifted: { schemaVersion: 1, schema: RestrictionLifted },
} as const;
