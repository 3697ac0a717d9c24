import type { Config } from 'jest';
import base from './jest.config';

// The jest run for mutation testing (stryker.config.mjs), the normal config minus the tests
// that cannot see a mutant: they run built code (dist/) in child processes, or drive the
// EventStoreDB adapter over a socket at a cost of seconds per run without touching the
// mutated append paths of the in-memory and SQLite stores.
const config: Config = {
  ...base,
  testPathIgnorePatterns: [
    ...(base.testPathIgnorePatterns ?? []),
    '/examples/[^/]+/src/main\\.test\\.ts$',
    '/packages/cli/src/main\\.test\\.ts$',
    '/packages/cli/src/output/html-report\\.chromium\\.test\\.ts$',
    '/packages/sqlite/src/crash\\.test\\.ts$',
    '/packages/eventstoredb/src/[^/]+\\.int\\.test\\.ts$',
  ],
};

export default config;
