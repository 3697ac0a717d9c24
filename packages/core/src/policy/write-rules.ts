import { describeKey, ValidationError } from '../errors';
import type { LegalBasis, PurposeRetention } from '../events';
import type { Policy } from './define-policy';
import { addDuration } from './duration';

/** What a policy declares, as its messages name it; built once per policy, since every write checks it. */
interface Vocabulary {
  readonly purposes: string;
  readonly categories: ReadonlySet<string>;
}

const vocabularies = new WeakMap<Policy, Vocabulary>();

function vocabularyOf(policy: Policy): Vocabulary {
  let vocabulary = vocabularies.get(policy);
  if (!vocabulary) {
    vocabulary = { purposes: [...policy.purposes.keys()].join(', '), categories: new Set([...policy.purposes.values()].flatMap((rule) => rule.categories)) };
    vocabularies.set(policy, vocabulary);
  }
  return vocabulary;
}

/**
 * The purposes a write names must be the policy's, and the categories it carries must belong to one of them.
 * A message names only the policy's own words: a caller's purpose or key that the policy does not declare is shown by place.
 */
export function checkPurposes(policy: Policy, what: string, purposes: readonly string[], categories: readonly string[] = [], path = (i: number) => `purposes.${i}`): void {
  const declared = vocabularyOf(policy);
  const issues: { path: string; message: string }[] = [];
  purposes.forEach((purpose, i) => {
    if (!policy.purposes.has(purpose)) issues.push({ path: path(i), message: `is not a purpose of the policy, which declares ${declared.purposes}` });
  });
  const covered = new Set(purposes.flatMap((purpose) => policy.purposes.get(purpose)?.categories ?? []));
  categories.forEach((category, i) => {
    if (covered.has(category)) return;
    const at = declared.categories.has(category) ? `data.${category}` : `data${describeKey(category, i, categories.length)}`;
    issues.push({ path: at, message: 'is not a category of any of the purposes named' });
  });
  if (issues.length > 0) throw new ValidationError(what, issues);
}

/** Categories a command names must be the policy's: one it does not declare is shown by place. */
export function checkCategories(policy: Policy, what: string, categories: readonly string[]): void {
  const declared = vocabularyOf(policy);
  const issues = categories.flatMap((category, i) => (declared.categories.has(category) ? [] : [{ path: `categories.${i}`, message: 'is not a category of the policy' }]));
  if (issues.length > 0) throw new ValidationError(what, issues);
}

/** What a collection records of the policy: each purpose's legal basis, each category's retention per purpose, and the longest of them. */
export interface CollectionTerms {
  readonly legalBases: Record<string, LegalBasis>;
  /** Per category, each purpose named that covers it, with when that purpose's retention runs out. */
  readonly retention: PurposeRetention;
  /** When the last of them runs out: no purpose may keep any of the data after it. */
  readonly retainUntil: string;
}

/** The terms of `categories` collected at `now` for purposes already checked to be the policy's, covering them (`checkPurposes`). */
export function collectionTerms(policy: Policy, purposes: readonly string[], now: Date, categories: readonly string[]): CollectionTerms {
  const ends = new Map(purposes.map((purpose) => [purpose, addDuration(now, policy.purposes.get(purpose)?.retention ?? 'P0D').toISOString()]));
  const retention: PurposeRetention = {};
  for (const category of categories)
    retention[category] = Object.fromEntries(
      purposes.filter((purpose) => policy.purposes.get(purpose)?.categories.includes(category)).map((purpose) => [purpose, ends.get(purpose) as string]),
    );
  const kept = Object.values(retention).flatMap((byPurpose) => Object.values(byPurpose));
  const last = Math.max(...(kept.length > 0 ? kept : [...ends.values()]).map((end) => Date.parse(end)));
  return {
    legalBases: Object.fromEntries(purposes.map((purpose) => [purpose, policy.purposes.get(purpose)?.legalBasis ?? 'consent'])),
    retention,
    retainUntil: new Date(last).toISOString(),
  };
}

/** Consent is granted only for a purpose of the policy, and only for one that rests on consent. */
export function checkConsentPurpose(policy: Policy, purpose: string): void {
  checkPurposes(policy, 'grantConsent', [purpose], [], () => 'purpose');
  const basis = policy.purposes.get(purpose)?.legalBasis;
  if (basis !== 'consent') throw new ValidationError('grantConsent', [{ path: 'purpose', message: `rests on ${basis}, not on consent` }]);
}

/** A consent that expires must expire after `now`, the time of the grant as the ledger's clock tells it. */
export function checkConsentExpiry(expiresAt: Date | undefined, now: Date): void {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new ValidationError('grantConsent', [{ path: 'expiresAt', message: 'must be after the time of the grant' }]);
}

/** A signal is recorded after it is received: `receivedAt`, when given, is not after `now` by the ledger's clock. */
export function checkSignalReceived(receivedAt: Date | undefined, now: Date): void {
  if (receivedAt && receivedAt.getTime() > now.getTime())
    throw new ValidationError('applyPrivacySignal', [{ path: 'receivedAt', message: 'must not be after the time the signal is recorded' }]);
}
