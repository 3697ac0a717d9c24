import type { Config } from 'jest';
import base from './jest.config';

// The jest run for mutation testing (stryker.config.mjs). Jest loads, for each mutant, every
// test file that imports the mutated module, and nearly every test file imports core, so the
// set of test files sets the cost of each mutant.
//
// - `beside` (the default): the tests that sit beside the mutated code, in the folders of the
//   scopes being run (MUTATION_SCOPE, set by `pnpm mutation <scope>`). A rule's own tests
//   are the ones that must notice it broken; the score is a lower bound of the wider runs'.
// - `core`: every test of @custodian/core and the SQLite store's own.
// - `all`: the whole suite, minus what cannot see a mutant at all: tests of built code
//   (dist/) in child processes, and the EventStoreDB adapter's socket suites, which do not
//   reach the mutated append paths.
const besideScope: Record<string, string[]> = {
  policy: ['<rootDir>/packages/core/src/policy/**/*.test.ts'],
  decider: ['<rootDir>/packages/core/src/decider/**/*.test.ts'],
  crypto: ['<rootDir>/packages/core/src/crypto/**/*.test.ts'],
  audit: ['<rootDir>/packages/core/src/audit/**/*.test.ts'],
  stores: ['<rootDir>/packages/core/src/store/**/*.test.ts', '<rootDir>/packages/sqlite/src/{sqlite-event-store,group-commit}.test.ts'],
};

function besideTests(): string[] {
  const named = (process.env.MUTATION_SCOPE ?? '').split(',').filter(Boolean);
  const scopes = named.length > 0 ? named : Object.keys(besideScope);
  return scopes.flatMap((scope) => besideScope[scope] ?? []);
}

function configFor(tests: string | undefined): Config {
  if (tests === 'all')
    return {
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
  if (tests === 'core')
    return { ...base, roots: ['<rootDir>/packages'], testMatch: ['<rootDir>/packages/core/src/**/*.test.ts', '<rootDir>/packages/sqlite/src/sqlite-event-store.test.ts'] };
  if (tests === undefined || tests === 'beside') return { ...base, roots: ['<rootDir>/packages'], testMatch: besideTests() };
  throw new Error(`jest.stryker.config.ts: MUTATION_TESTS must be beside, core or all, not "${tests}"`);
}

export default configFor(process.env.MUTATION_TESTS);
