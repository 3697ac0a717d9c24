// The event store's exports go here, beside the analysts' tables.
export * from './projections';
