import type { Config } from 'jest';
import base from './jest.config';

// The jest run for mutation testing (stryker.config.mjs). By default only the tests that sit
// beside the mutated code: those of @custodian/core and the SQLite store's own. Jest loads
// every test file that imports a mutated module for each mutant, and nearly every file
// imports core, so the CLI's and the projections' tests would multiply the cost of each
// mutant for little gain. MUTATION_TESTS=all runs the whole suite instead, minus what cannot
// see a mutant at all: tests of built code (dist/) in child processes, and the EventStoreDB
// adapter's socket suites, which do not reach the mutated append paths.
const all = process.env.MUTATION_TESTS === 'all';

const config: Config = all
  ? {
      ...base,
      testPathIgnorePatterns: [
        ...(base.testPathIgnorePatterns ?? []),
        '/examples/[^/]+/src/main\\.test\\.ts$',
        '/packages/cli/src/main\\.test\\.ts$',
        '/packages/cli/src/output/html-report\\.chromium\\.test\\.ts$',
        '/packages/sqlite/src/crash\\.test\\.ts$',
        '/packages/eventstoredb/src/[^/]+\\.int\\.test\\.ts$',
      ],
    }
  : {
      ...base,
      roots: ['<rootDir>/packages'],
      testMatch: ['<rootDir>/packages/core/src/**/*.test.ts', '<rootDir>/packages/sqlite/src/sqlite-event-store.test.ts'],
    };

export default config;
