export { CustodianError } from './custodian-error';
export { clip, describeField, describeKey, tagOf } from './redact';
export { safeMessages, type IssueContext, type ValidationIssue } from './zod-issues';
export { parseOrThrow, ValidationError } from './validation-error';
