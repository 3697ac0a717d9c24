// @ts-check
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The lines of one member of a source file, as a Stryker `file:start-end` range: from the
 * first line matching `start` to the next line that closes it at the same indentation.
 * Found anew on every run so that edits elsewhere in the file do not shift the range; a
 * member that cannot be found stops the run instead of silently mutating nothing.
 */
function member(file, start) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  const first = lines.findIndex((line) => start.test(line));
  if (first < 0) throw new Error(`stryker.config.mjs: no line matching ${start} in ${file}`);
  const indent = /** @type {string} */ (/^\s*/.exec(lines[first] ?? '')?.[0]);
  const last = lines.findIndex((line, i) => i > first && line.startsWith(`${indent}}`));
  if (last < 0) throw new Error(`stryker.config.mjs: no end for ${start} in ${file}`);
  return `${file}:${first + 1}-${last + 1}`;
}

const inMemory = 'packages/core/src/store/in-memory.ts';
const sqlite = 'packages/sqlite/src/sqlite-event-store.ts';

/** What is mutated, by the names `pnpm mutation <name>...` accepts; found only for the scopes run. */
const scopes = {
  policy: () => ['packages/core/src/policy/**/*.ts'],
  decider: () => ['packages/core/src/decider/**/*.ts'],
  crypto: () => ['packages/core/src/crypto/**/*.ts'],
  // hash-worker.ts is left out: it runs only on worker threads, where no test's coverage is
  // seen, so its mutants could never be killed. It is a message shell around answerBatch
  // (record-batch.ts), which is mutated and tested on the calling thread.
  audit: () => ['packages/core/src/audit/**/*.ts', '!packages/core/src/audit/hash-worker.ts'],
  // The stores' append paths: the append itself, the checks of what is appended and of the
  // expected revision, the write of each record, and SQLite's group commit.
  stores: () => [
    member(inMemory, /^  async append\(/),
    member(inMemory, /^  private write\(/),
    member(inMemory, /^function isWellFormedAppend\(/),
    member(inMemory, /^function matchesExpected\(/),
    member(inMemory, /^export function validateAppend\(/),
    member('packages/core/src/store/errors.ts', /^export function checkExpectedRevision\(/),
    member(sqlite, /^function appendWithin\(/),
    member(sqlite, /^    async append\(/),
    'packages/sqlite/src/group-commit.ts',
  ],
};

function selected() {
  const names = (process.env.MUTATION_SCOPE ?? '').split(',').filter(Boolean);
  if (names.length === 0) return Object.values(scopes).flatMap((scope) => scope());
  return names.flatMap((name) => {
    const globs = scopes[/** @type {keyof typeof scopes} */ (name)];
    if (!globs) throw new Error(`stryker.config.mjs: unknown scope "${name}"; known: ${Object.keys(scopes).join(', ')}`);
    return globs();
  });
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'pnpm',
  // Stryker looks for plugins beside itself, which pnpm's layout hides; name them by path.
  plugins: ['@stryker-mutator/jest-runner', '@stryker-mutator/typescript-checker'].map((name) => fileURLToPath(import.meta.resolve(name))),
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.ts', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.stryker.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // Most mutants of the policy and event schemas are static (built once when the module
  // loads), so each one reruns the whole suite: about 25 s apiece here, hours in all. They
  // are left out unless MUTATION_STATIC=1.
  ignoreStatic: process.env.MUTATION_STATIC !== '1',
  mutate: [...selected(), '!packages/**/*.test.ts'],
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // Two cores are shared with other work; each runner also has a type-checker beside it.
  concurrency: 2,
  // The first full test run takes minutes on two loaded cores; Stryker's default limit is 5.
  dryRunTimeoutMinutes: 20,
  // Mutate the working tree itself (Stryker restores it): as root, a test that runs a child
  // as `nobody` cannot read a sandbox copy in a 0700 temp folder.
  inPlace: true,
  timeoutMS: 10_000,
  ignorePatterns: ['dist', 'coverage', '*.db', '*.db-wal', '*.db-shm'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

export default config;
