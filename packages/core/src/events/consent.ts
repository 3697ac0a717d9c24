import { z } from 'zod';
import { EventId, Notice, Purpose, Sealed, Timestamp } from './common';

/**
 * How consent was given or withdrawn (Fides' methods, plus the channels a service records).
 * `gpc` stays in the list because records written before `applyPrivacySignal` existed may
 * hold it, and a withdrawal may still name it; no consent is granted by it any more.
 */
export const ConsentMethod = z.enum(['web-form', 'checkbox', 'email', 'phone', 'paper', 'in-person', 'api', 'gpc']);

const SIGNAL_NEVER_GRANTS = 'a Global Privacy Control signal opts out and never grants consent: record it with applyPrivacySignal';

/** How consent may be granted: every method but `gpc`, which is a signal to opt out (`applyPrivacySignal`). */
export const GrantMethod = ConsentMethod.exclude(['gpc'], { error: (issue) => (issue.input === 'gpc' ? SIGNAL_NEVER_GRANTS : undefined) });
export type GrantMethod = z.infer<typeof GrantMethod>;

export const ConsentGranted = z.object({
  purpose: Purpose,
  notice: Notice,
  // Typed as every method a stored grant may hold; a new grant by `gpc` is refused when it is sealed.
  method: ConsentMethod.refine((method): boolean => method !== 'gpc', SIGNAL_NEVER_GRANTS),
  /** What was shown or signed, sealed: it may hold personal data. */
  evidence: Sealed.optional(),
  expiresAt: Timestamp.optional(),
  /** The `PrivacySignalApplied` this grant lifts for its purpose: given by the subject herself, after the signal. */
  overridesSignal: EventId.optional(),
  /** The `ObjectionRaised` to direct marketing this grant lifts for its purpose: given by the subject herself, after the objection. */
  overridesObjection: EventId.optional(),
});

export const ConsentWithdrawn = z.object({
  purpose: Purpose,
  method: ConsentMethod.optional(),
});

/** Art. 21: an objection to processing based on legitimate interests (or public task), or for direct marketing. */
export const ObjectionRaised = z.object({
  /** The purposes objected to; absent means every purpose on those bases, and every direct-marketing purpose. */
  purposes: z.array(Purpose).min(1).optional(),
  reason: Sealed.optional(),
});

export const ProcessingRestricted = z.object({ reason: Sealed.optional() });
export const RestrictionLifted = z.object({});

/** An opt-out preference signal a browser sends for its user: Global Privacy Control (`Sec-GPC: 1`, `navigator.globalPrivacyControl`). */
export const PrivacySignal = z.enum(['gpc']);
export type PrivacySignal = z.infer<typeof PrivacySignal>;

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ORIGIN = new RegExp(`^https?://${HOST_LABEL}(?:\\.${HOST_LABEL})*(?::\\d{1,5})?$`);
/** A host whose last label has no letter is an IP address (or a number): the address of a person's device, so personal data. */
const NAMED_HOST = /[a-z][a-z0-9-]*(?::\d{1,5})?$/;

/**
 * A web origin, `https://shop.example` or `http://localhost:8080`, as the URL standard
 * serialises it: lowercase scheme and host, an optional port, and nothing else. No path or
 * query (they carry what a person looked at), no user, no IP address.
 */
export const Origin = z
  .string()
  .max(300)
  .regex(ORIGIN, { message: 'must be a web origin, scheme://host[:port] in lowercase, with no user, path or query', abort: true })
  .refine((origin) => NAMED_HOST.test(origin), 'must name its host, not an IP address: an IP address is personal data');

/** Where a signal was read: the request's header, the page's script, or a call of the company's own API; and the site it was sent to. */
export const SignalSource = z.strictObject({
  kind: z.enum(['http-header', 'dom', 'api']),
  origin: Origin.optional(),
});
export type SignalSource = z.infer<typeof SignalSource>;

/** A privacy signal honoured: the subject opted out of every purpose listed, those the policy lets the signal opt out of. */
export const PrivacySignalApplied = z.object({
  signal: PrivacySignal,
  source: SignalSource,
  /** The purposes it opted out of: each marked with the signal in the policy, and not already opted out of by a signal still standing. */
  purposes: z.array(Purpose).min(1),
  /** When the service received the signal, if it says; `occurredAt` is when the ledger recorded it. */
  receivedAt: Timestamp.optional(),
});

export const consentEvents = {
  ConsentGranted: { schemaVersion: 1, schema: ConsentGranted },
  ConsentWithdrawn: { schemaVersion: 1, schema: ConsentWithdrawn },
  ObjectionRaised: { schemaVersion: 1, schema: ObjectionRaised },
  ProcessingRestricted: { schemaVersion: 1, schema: ProcessingRestricted },
  RestrictionLifted: { schemaVersion: 1, schema: RestrictionLifted },
  PrivacySignalApplied: { schemaVersion: 1, schema: PrivacySignalApplied },
} as const;
