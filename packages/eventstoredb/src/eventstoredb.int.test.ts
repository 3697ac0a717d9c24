import { describeEventStoreDBAdapter } from './test-support/suites';

// Only @eventstore/db-client is loaded in this file; KurrentDB's has a file of its own.
describeEventStoreDBAdapter('eventstoredb');
