export { definePolicy, DEFAULT_ROLE, PurposeRule, Operation, type Policy, type PolicyInput, type PurposeRuleInput } from './define-policy';
export { checkUse, retentionEnd, standingObjection, type HeldCategoryFacts, type RecipientFacts, type RuleOutcome, type SubjectFacts, type UseRequest } from './rules';
export {
  mayPerform,
  RECIPIENT_CONFIRMATIONS,
  rolesFor,
  SUBJECT_RIGHTS,
  type LedgerOperation,
  type Permission,
  type PermissionRefusal,
  type PermissionRequest,
} from './permissions';
export { checkCategories, checkConsentExpiry, checkConsentPurpose, checkPurposes, checkSignalReceived, collectionTerms, type CollectionTerms } from './write-rules';
export { addDuration } from './duration';
export { policyFromRecord, policyRecord, readRecordedPolicy } from './record';
