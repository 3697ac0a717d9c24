// The whole test suite: check the formatting, lint (ESLint and the import boundaries),
// type-check and build every package, run jest, and end with one line, `N passed, M failed`,
// so the result reads at a glance. A test file that cannot even run counts as a failure; so
// does a build that fails before any test runs, and so does each check that fails.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const bin = (name) => join(__dirname, '..', 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

const CHECKS = [
  ['format:check', bin('prettier'), ['--check', '.']],
  ['lint', bin('eslint'), ['.']],
  ['lint:boundaries', process.execPath, [join(__dirname, 'check-boundaries.cjs')]],
];
const failedChecks = CHECKS.filter(([name, cmd, args]) => {
  process.stdout.write(`\n> ${name}\n`);
  return run(cmd, args) !== 0;
}).map(([name]) => name);
if (failedChecks.length > 0) process.stdout.write(`\nFailed before the tests: ${failedChecks.join(', ')}\n`);

function finish(passed, failed, status) {
  process.stdout.write(`\n${passed} passed, ${failed + failedChecks.length} failed\n`);
  process.exit(failedChecks.length > 0 ? status || 1 : status);
}

if (run(bin('tsc'), ['-b']) !== 0 || run(bin('tsc'), ['-p', 'tsconfig.tests.json']) !== 0) finish(0, 1, 1);

const dir = mkdtempSync(join(tmpdir(), 'custodian-jest-'));
const report = join(dir, 'results.json');
const status = run(bin('jest'), ['--json', `--outputFile=${report}`, ...process.argv.slice(2)]);
let results;
try {
  results = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  finish(0, 1, status || 1);
}
rmSync(dir, { recursive: true, force: true });
finish(results.numPassedTests, results.numFailedTests + results.numRuntimeErrorTestSuites, status);
