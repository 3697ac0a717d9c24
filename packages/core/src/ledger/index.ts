export { createLedger, type AccessDecision, type AccessRequestResult, type Audit, type Decision, type Ledger, type LedgerOptions } from './create-ledger';
export { NotPermittedError } from './errors';
export * from './commands';
