export { definePolicy, PurposeRule, Operation, type Policy, type PolicyInput, type PurposeRuleInput } from './define-policy';
export { checkUse, type RecipientFacts, type RuleOutcome, type SubjectFacts, type UseRequest } from './rules';
export { addDuration } from './duration';
export { policyFromRecord, policyRecord, readRecordedPolicy } from './record';
