import { describeEventStoreDBAdapter } from './test-support/suites';

// Only @kurrent/kurrentdb-client is loaded in this file; EventStoreDB's has a file of its own.
describeEventStoreDBAdapter('kurrentdb');
