import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import jestConfig from '../../jest.config';
import { asModule, readPage, type Snippet } from './snippets';

/**
 * Every ```ts block of README.md, docs/*.md and the privacy center's README is a program: it is type-checked against the
 * workspace packages (imported by name), then run by node in an empty folder of its own, so
 * a `custodian.db` it writes lands there. It must exit 0 with nothing on stderr and, when an
 * ```output block follows it, print exactly that. A block not meant to run says so: ```ts no-run.
 */

const ROOT = join(__dirname, '../..');
const PAGES = [
  'README.md',
  'packages/privacy-center/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];
const pages = PAGES.map((name) => readPage(name, readFileSync(join(ROOT, name), 'utf8')));
const snippets = pages.flatMap((page) => page.snippets);
const runnable = snippets.filter((snippet) => snippet.runs);
const skipped = snippets.filter((snippet) => !snippet.runs);

/** jest's own mapping of `@custodian/*` to the sources, for the node that runs a snippet. */
const moduleMap = Object.entries(jestConfig.moduleNameMapper ?? {}).map(([pattern, target]) => [pattern, String(target).replaceAll('<rootDir>', ROOT)]);

const base = mkdtempSync(join(tmpdir(), 'custodian-doc-snippets-'));
const folders = new Map<Snippet, string>(runnable.map((snippet, i) => [snippet, join(base, String(i))]));
const diagnostics = new Map<Snippet, string[]>();

/** The tests' compiler options (strict, paths to the sources), as ES modules so top-level await type-checks. */
function compilerOptions(): ts.CompilerOptions {
  const configFile = join(ROOT, 'tsconfig.tests.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, ts.sys.readFile).config, ts.sys, ROOT, undefined, configFile);
  return {
    ...parsed.options,
    noEmit: true,
    isolatedModules: false,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
  };
}

function typeCheck(): void {
  const files = new Map<string, Snippet>();
  for (const [snippet, folder] of folders) {
    mkdirSync(folder);
    const file = join(folder, 'snippet.ts');
    writeFileSync(file, asModule(snippet));
    files.set(file, snippet);
    diagnostics.set(snippet, []);
  }
  const program = ts.createProgram([...files.keys()], compilerOptions());
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const snippet = diagnostic.file && files.get(diagnostic.file.fileName);
    if (!snippet || !diagnostic.file || diagnostic.start === undefined) continue;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const page = snippet.where.replace(/:\d+$/, '');
    diagnostics.get(snippet)?.push(`${page}:${line + 1}:${character + 1} TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  }
}

/** Compiles the snippet to CommonJS with its top level in an async function, keeping the page's lines. */
function compile(snippet: Snippet, folder: string): string {
  const page = join(ROOT, snippet.where.replace(/:\d+$/, ''));
  const { outputText, sourceMapText } = ts.transpileModule(asModule(snippet), {
    fileName: 'snippet.ts',
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: true },
  });
  const map = { ...(JSON.parse(sourceMapText ?? '{}') as object), sources: [page] };
  const body = outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, '');
  const file = join(folder, 'snippet.js');
  // On the first line, so every line of the output keeps its place in the source map.
  writeFileSync(file, `(async () => {${body}\n})();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`);
  return file;
}

beforeAll(typeCheck, 120_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the snippets of README.md and docs/*.md', () => {
  it('finds ts blocks, and every marker and output block on the pages makes sense', () => {
    expect(runnable.length).toBeGreaterThan(0);
    expect(pages.flatMap((page) => page.problems)).toEqual([]);
  });

  it(`skips the ${skipped.length} block(s) marked no-run${skipped.length > 0 ? ` (${skipped.map((s) => s.where).join(', ')})` : ''}, each still valid TypeScript`, () => {
    const syntaxErrors = skipped.flatMap((snippet) =>
      (ts.transpileModule(asModule(snippet), { reportDiagnostics: true, fileName: 'snippet.ts' }).diagnostics ?? []).map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : snippet.line;
        return `${snippet.where.replace(/:\d+$/, '')}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    expect(syntaxErrors).toEqual([]);
  });

  it.each(runnable.map((snippet) => [snippet.where, snippet] as const))('%s type-checks, runs and prints what the page says', (where, snippet) => {
    expect({ snippet: where, typeErrors: diagnostics.get(snippet) }).toEqual({ snippet: where, typeErrors: [] });
    const folder = folders.get(snippet) ?? base;
    const run = spawnSync(process.execPath, ['--enable-source-maps', '--require', join(__dirname, 'workspace-modules.cjs'), compile(snippet, folder)], {
      cwd: folder,
      encoding: 'utf8',
      env: { ...process.env, CUSTODIAN_DOC_MODULES: JSON.stringify(moduleMap) },
      timeout: 50_000,
    });
    expect({ snippet: where, exit: run.status, signal: run.signal, stderr: run.stderr }).toEqual({ snippet: where, exit: 0, signal: null, stderr: '' });
    if (snippet.output !== undefined) expect({ snippet: where, stdout: run.stdout.trimEnd() }).toEqual({ snippet: where, stdout: snippet.output.trimEnd() });
  });
});
