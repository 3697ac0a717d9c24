export { createLedger, type AccessDecision, type AccessRequestResult, type Audit, type Decision, type Ledger, type LedgerOptions } from './create-ledger';
export { InvalidClockError, NotPermittedError } from './errors';
export { ContentionTimeoutError } from './retry';
export * from './commands';
