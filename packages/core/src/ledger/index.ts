export { createLedger } from './create-ledger';
export type { AccessDecision, AccessRequestResult, Audit, Decision, Ledger, LedgerOptions } from './ledger';
export { InvalidClockError, NotPermittedError } from './errors';
export { ContentionTimeoutError } from './retry';
export * from './commands';
export type { CacheOptions, CacheStats } from './stream-cache';
