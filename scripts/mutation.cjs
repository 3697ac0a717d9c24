// Mutation testing (stryker.config.mjs), timed. `pnpm mutation [policy|decider|crypto|audit|stores]...`
// limits the run to those folders; anything starting with `-` goes to Stryker as is
// (e.g. `--concurrency 1`, `--mutate <glob>`, `--force`). docs/mutation.md says more.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const scopes = [];
while (args.length > 0 && !(args[0] ?? '').startsWith('-')) scopes.push(args.shift());

const started = Date.now();
const env = scopes.length > 0 ? { ...process.env, MUTATION_SCOPE: scopes.join(',') } : process.env;
const stryker = join(__dirname, '..', 'node_modules', '.bin', 'stryker');
const status = spawnSync(stryker, ['run', ...args], { stdio: 'inherit', env }).status ?? 1;

const seconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(`\nmutation testing${scopes.length > 0 ? ` (${scopes.join(', ')})` : ''} took ${Math.floor(seconds / 60)} min ${seconds % 60} s\n`);
process.exit(status);
