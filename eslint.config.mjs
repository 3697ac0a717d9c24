// The linter: a few rules that catch real bugs or keep the habits of the house, not a style
// guide (Prettier owns layout). Type-aware rules read one program, tsconfig.tests.json, which
// holds every TypeScript file of the workspace with @custodian/* mapped to the sources.
// The import boundaries are checked by scripts/check-boundaries.cjs (`pnpm lint` runs both).
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.test.ts', '**/test-support/**', 'docs/test/**', 'scripts/test/**'];
// The conformance suites are test code shipped as a library: each is one describe block.
const SUITES = ['packages/testing/src/**'];

const unusedVars = {
  args: 'after-used',
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
  ignoreRestSiblings: true,
};

export default defineConfig(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'packages/eventstoredb/.probe/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.tests.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    files: [...TESTS, ...SUITES],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // TEMPORARY: the one projection runner landed with the linter, its factory not yet split.
    files: ['packages/core/src/projections/runner.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // TEMPORARY: not split yet. The file key store's factory holds the erasure fence (its
    // order of writes is the point), and the store benchmark's main cannot be re-run here;
    // both deserve a careful split of their own rather than one made in passing.
    files: ['packages/core/src/crypto/file-key-store.ts', 'bench/src/store.bench.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // The child processes the tests spawn, and the build scripts: plain CommonJS, no types.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { 'no-unused-vars': ['error', unusedVars] },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
    rules: { 'no-unused-vars': ['error', unusedVars] },
  },
);
