import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../errors';
import { definePolicy, Operation, type PolicyInput } from './define-policy';

const email = { legalBasis: 'consent' as const, categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' };

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    definePolicy(input as PolicyInput);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    // Every refusal, from the envelope, a purpose or the list, says it is the policy's.
    expect((error as ValidationError).what).toBe('policy');
    return [...(error as ValidationError).issues];
  }
  throw new Error('the policy was accepted');
}

describe('definePolicy', () => {
  it('accepts purposes by name, defaulting sharing to false', () => {
    const policy = definePolicy({ purposes: { 'marketing.email': email } });
    expect(policy.purposes.get('marketing.email')).toEqual({ ...email, categories: ['contact.email'], roles: ['marketing'], sharing: false });
    // Secure by default: every operation but collect is left to the privacy role.
    const privacyOnly = Object.fromEntries(Operation.options.filter((operation) => operation !== 'collect').map((operation) => [operation, ['privacy']]));
    expect(policy.permissions).toEqual(privacyOnly);
  });

  it('names the operation of a refused permission, a word of the policy, where a caller-chosen key would be described', () => {
    let refused: unknown;
    try {
      definePolicy({ purposes: { 'marketing.email': email }, permissions: { erase: [] } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues.map((issue) => issue.path)).toEqual(['permissions.erase']);
  });

  it('shows the permissions in effect: the roles named replace the default, and collect stays with the purposes unless named', () => {
    const named = definePolicy({ purposes: { 'marketing.email': email }, permissions: { erase: ['dpo'], grantConsent: ['support', 'privacy'] } }).permissions;
    expect(named).toMatchObject({ erase: ['dpo'], grantConsent: ['support', 'privacy'], registerRecipient: ['privacy'], liftRestriction: ['privacy'] });
    expect(Object.keys(named).sort()).toEqual(Operation.options.filter((operation) => operation !== 'collect').sort());
    expect(definePolicy({ purposes: { 'marketing.email': email }, permissions: { collect: ['checkout'] } }).permissions.collect).toEqual(['checkout']);
  });

  it('accepts purposes as a list', () => {
    expect([...definePolicy({ purposes: [{ name: 'marketing.email', ...email, sharing: true }] }).purposes.keys()]).toEqual(['marketing.email']);
  });

  it('names an unknown legal basis', () => {
    expect(issuesOf({ purposes: { 'marketing.email': { ...email, legalBasis: 'because' } } })).toEqual([
      { path: 'purposes.marketing.email.legalBasis', message: expect.stringContaining('legitimate_interests') },
    ]);
  });

  it('names an empty category list and a category named twice', () => {
    expect(issuesOf({ purposes: { 'marketing.email': { ...email, categories: [] } } })).toEqual([
      { path: 'purposes.marketing.email.categories', message: 'must name at least one category' },
    ]);
    expect(issuesOf({ purposes: { 'marketing.email': { ...email, categories: ['contact.email', 'contact.email'] } } })).toEqual([
      { path: 'purposes.marketing.email.categories', message: 'names a category twice' },
    ]);
  });

  it('names a duplicate purpose', () => {
    expect(
      issuesOf({
        purposes: [
          { name: 'marketing.email', ...email },
          { name: 'marketing.email', ...email },
        ],
      }),
    ).toEqual([{ path: 'purposes.1.name', message: 'names the same purpose as purposes.0' }]);
  });

  it('names a misspelt field instead of dropping it', () => {
    expect(issuesOf({ purposes: { 'marketing.email': { ...email, shareing: true } } })).toEqual([
      { path: 'purposes.marketing.email.shareing', message: 'is not a known field; did you mean sharing?' },
    ]);
  });

  it('names a bad retention, a bad purpose name, no purposes, and an unknown operation', () => {
    expect(issuesOf({ purposes: { 'marketing.email': { ...email, retention: '2 years' } } })[0]?.path).toBe('purposes.marketing.email.retention');
    // A key that is no purpose name is not echoed: it is shown by place, length and tag.
    expect(issuesOf({ purposes: { 'Marketing Email': email } })[0]?.path).toMatch(/^purposes\[key 1 of 1: 15 chars, #[0-9a-f]{6}\]$/);
    expect(issuesOf({ purposes: {} })).toEqual([{ path: 'purposes', message: 'must declare at least one purpose' }]);
    expect(issuesOf({})[0]?.path).toBe('purposes');
    expect(issuesOf({ purposes: { 'marketing.email': email }, permissions: { sellData: ['x'] } })[0]?.path).toMatch(/^permissions/);
  });

  it('names purposes that are neither an object by name nor a list, before looking inside', () => {
    const message = 'must be an object of purposes by name, or a list of named purposes';
    for (const purposes of [null, 'marketing.email', 42, true]) expect(issuesOf({ purposes })).toEqual([{ path: 'purposes', message }]);
  });

  it('marks a purpose with the signals that opt out of it and as direct marketing, and leaves both out unless named', () => {
    const ads = { ...email, optOutSignals: ['gpc' as const], directMarketing: true };
    expect(definePolicy({ purposes: { 'ads.retargeting': ads } }).purposes.get('ads.retargeting')).toMatchObject({ optOutSignals: ['gpc'], directMarketing: true });
    const plain = definePolicy({ purposes: { 'marketing.email': email } }).purposes.get('marketing.email');
    expect(plain).not.toHaveProperty('optOutSignals');
    expect(plain).not.toHaveProperty('directMarketing');
  });

  it('names an unknown signal, an empty or repeated signal list, and a direct-marketing flag that is no boolean', () => {
    expect(issuesOf({ purposes: { 'ads.retargeting': { ...email, optOutSignals: ['dnt'] } } })).toEqual([
      { path: 'purposes.ads.retargeting.optOutSignals.0', message: 'must be "gpc"' },
    ]);
    expect(issuesOf({ purposes: { 'ads.retargeting': { ...email, optOutSignals: [] } } })).toEqual([
      { path: 'purposes.ads.retargeting.optOutSignals', message: 'must name at least one signal, or be left out' },
    ]);
    expect(issuesOf({ purposes: { 'ads.retargeting': { ...email, optOutSignals: ['gpc', 'gpc'] } } })).toEqual([
      { path: 'purposes.ads.retargeting.optOutSignals', message: 'names a signal twice' },
    ]);
    expect(issuesOf({ purposes: { 'ads.retargeting': { ...email, optOutSignals: 'gpc' } } })[0]?.path).toBe('purposes.ads.retargeting.optOutSignals');
    expect(issuesOf({ purposes: { 'marketing.email': { ...email, directMarketing: 'yes' } } })[0]?.path).toBe('purposes.marketing.email.directMarketing');
  });

  it('names an empty list of purposes', () => {
    expect(issuesOf({ purposes: [] })).toEqual([{ path: 'purposes', message: 'must declare at least one purpose' }]);
  });
});
