export * from './tiles';
export * from './routing';
export * from './simulate';
