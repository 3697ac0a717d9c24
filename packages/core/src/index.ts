export * from './errors';
export * from './events';
export * from './store';
export * from './crypto';
export * from './policy';
export * from './projections';
export * from './decider';
export * from './ledger';
