export * from './errors';
export * from './events';
export * from './store';
export * from './crypto';
