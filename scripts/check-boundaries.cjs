// The import boundaries of the workspace, checked on every import of every source file:
//   - core imports no adapter: outside its tests, packages/core/src imports no other
//     @custodian package and no library but its own dependencies and node's built-ins;
//   - no package reaches into another by relative path (`../../sqlite/src/...`): across
//     packages, examples and the bench, code imports a package by its name;
//   - inside core, a folder imports another folder only through its index.ts
//     (`../store`, not `../store/in-memory`).
// Usage: node scripts/check-boundaries.cjs [root]. Prints one line per violation and exits 1
// if there is any.
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { builtinModules } = require('node:module');
const { dirname, join, relative, resolve, sep } = require('node:path');
const ts = require('typescript');

const SOURCE = /\.(ts|js|cjs|mjs)$/;
const TEST = /(\.test\.ts$|(^|\/)test-support\/)/;
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.git']);

const toPosix = (path) => path.split(sep).join('/');

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

function workspaceFiles(root) {
  const units = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(dir, name)) : []);
  const dirs = [...units('packages'), ...units('examples'), 'bench', 'docs/test', 'scripts'];
  return dirs.flatMap((dir) => sourceFiles(join(root, dir))).map((file) => toPosix(relative(root, file)));
}

/** The workspace unit a path belongs to (`packages/core`, `examples/audit`, `bench`), or undefined. */
function unitOf(path) {
  const [top, name] = path.split('/');
  if (top === 'bench') return 'bench';
  if ((top === 'packages' || top === 'examples') && name !== undefined && name !== '..') return `${top}/${name}`;
  return undefined;
}

/** Every import, export-from, require() and import() of a file, with its line. */
function importsOf(text) {
  const lineOf = (pos) => text.slice(0, pos).split('\n').length;
  return ts.preProcessFile(text, true, true).importedFiles.map((entry) => ({ specifier: entry.fileName, line: lineOf(entry.pos) }));
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function coreDependencies(root) {
  const manifest = join(root, 'packages/core/package.json');
  if (!existsSync(manifest)) return new Set();
  return new Set(Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {}));
}

const CORE_SRC = 'packages/core/src/';
const builtins = new Set(builtinModules);

/** The core folder a path inside packages/core/src belongs to; '' for a file at its root. */
const coreFolder = (path) => (path.slice(CORE_SRC.length).includes('/') ? path.slice(CORE_SRC.length).split('/')[0] : '');

function checkBare(file, specifier, dependencies) {
  if (!file.startsWith(CORE_SRC) || TEST.test(file)) return undefined;
  const name = packageName(specifier);
  if (name.startsWith('@custodian/')) return `core imports ${name}; core depends on no other package of the workspace`;
  if (specifier.startsWith('node:') || builtins.has(name) || dependencies.has(name)) return undefined;
  return `core imports ${name}, which is not one of its dependencies (an adapter's library belongs in the adapter)`;
}

function checkRelative(file, specifier) {
  const target = toPosix(join(dirname(file), specifier));
  const from = unitOf(file);
  const to = unitOf(target);
  if (to !== undefined && to !== from) return { target, problem: `reaches into ${to} by relative path; import it by its package name` };
  if (!file.startsWith(CORE_SRC) || !target.startsWith(CORE_SRC)) return undefined;
  const folder = coreFolder(target);
  if (folder === '' || folder === coreFolder(file)) return undefined;
  const inside = target.slice(CORE_SRC.length + folder.length + 1).replace(/\.(ts|js)$/, '');
  if (inside === '' || inside === 'index') return undefined;
  return { target, problem: `reaches into core's ${folder}/ (${inside}); import it through ${folder}/index.ts` };
}

function check(root) {
  const dependencies = coreDependencies(root);
  const violations = [];
  for (const file of workspaceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const { specifier, line } of importsOf(text)) {
      if (specifier.startsWith('.')) {
        const found = checkRelative(file, specifier);
        if (found) violations.push(`${file}:${line}: '${specifier}' ${found.problem}`);
      } else {
        const problem = checkBare(file, specifier, dependencies);
        if (problem) violations.push(`${file}:${line}: '${specifier}': ${problem}`);
      }
    }
  }
  return violations;
}

if (require.main === module) {
  const root = resolve(process.argv[2] ?? join(__dirname, '..'));
  const violations = check(root);
  for (const violation of violations) process.stderr.write(`${violation}\n`);
  process.stdout.write(violations.length === 0 ? 'import boundaries: ok\n' : `import boundaries: ${violations.length} violation(s)\n`);
  process.exit(violations.length === 0 ? 0 : 1);
}

module.exports = { check };
