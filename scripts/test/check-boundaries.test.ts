import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'check-boundaries.cjs');

// A workspace of a few files: core with two folders, an adapter, an example.
const CLEAN: Record<string, string> = {
  'packages/core/package.json': JSON.stringify({ name: '@custodian/core', dependencies: { zod: '^4' } }),
  'packages/core/src/index.ts': "export * from './store';\nexport * from './events';\n",
  'packages/core/src/store/index.ts': "export { createStore } from './in-memory';\n",
  'packages/core/src/store/in-memory.ts':
    "import { z } from 'zod';\nimport { createHash } from 'node:crypto';\nimport { readFileSync } from 'fs';\nimport { Event } from '../events';\nexport const createStore = () => [z, createHash, readFileSync, Event];\n",
  'packages/core/src/store/in-memory.test.ts': "import { runConformance } from '@custodian/testing';\nimport { createStore } from './in-memory';\nrunConformance(createStore);\n",
  'packages/core/src/events/index.ts': "export { Event } from './event';\n",
  'packages/core/src/events/event.ts': "import { createStore } from '../store/index';\nexport const Event = createStore;\n",
  'packages/sqlite/src/index.ts':
    "import Database from 'better-sqlite3';\nimport { createStore } from '@custodian/core';\nimport { helper } from './helper';\nexport { Database, createStore, helper };\n",
  'packages/sqlite/src/helper.ts': 'export const helper = 1;\n',
  'packages/sqlite/src/test-support/child.js': "require('../../dist/index.js');\n",
  'examples/demo/src/main.ts': "import { createStore } from '@custodian/core';\ncreateStore();\n",
};

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function checkTree(files: Record<string, string>) {
  root = mkdtempSync(join(tmpdir(), 'custodian-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: run.status, violations: run.stderr.split('\n').filter((line) => line !== '') };
}

describe('the import-boundary check', () => {
  it('passes a workspace that keeps its boundaries: folder indexes, package names, tests using the suites', () => {
    expect(checkTree(CLEAN)).toEqual({ status: 0, violations: [] });
  });

  it.each([
    [
      'an adapter package',
      "import { createSqliteEventStore } from '@custodian/sqlite';\n",
      "'@custodian/sqlite': core imports @custodian/sqlite; core depends on no other package of the workspace",
    ],
    [
      'the conformance suites outside a test',
      "export { runConformance } from '@custodian/testing';\n",
      "'@custodian/testing': core imports @custodian/testing; core depends on no other package of the workspace",
    ],
    [
      'the CLI, lazily',
      "export const load = () => import('@custodian/cli');\n",
      "'@custodian/cli': core imports @custodian/cli; core depends on no other package of the workspace",
    ],
    [
      "an adapter's driver",
      "const Database = require('better-sqlite3');\nexport { Database };\n",
      "'better-sqlite3': core imports better-sqlite3, which is not one of its dependencies",
    ],
  ])('fails when core imports %s', (_what, text, problem) => {
    const { status, violations } = checkTree({ ...CLEAN, 'packages/core/src/store/adapter.ts': `// a comment\n${text}` });
    expect(status).toBe(1);
    expect(violations).toEqual([expect.stringContaining(`packages/core/src/store/adapter.ts:2: ${problem}`)]);
  });

  it.each([
    [
      'an example',
      'examples/demo/src/main.ts',
      "import { createStore } from '../../../packages/core/src/store/in-memory';\n",
      "'../../../packages/core/src/store/in-memory' reaches into packages/core",
    ],
    ['an adapter', 'packages/sqlite/src/index.ts', "export { createStore } from '../../core/src';\n", "'../../core/src' reaches into packages/core"],
    [
      "a package's test",
      'packages/sqlite/src/store.test.ts',
      "import { startTarget } from '../../eventstoredb/src/test-support/target';\n",
      "'../../eventstoredb/src/test-support/target' reaches into packages/eventstoredb",
    ],
    [
      'a child process a test spawns',
      'packages/sqlite/src/test-support/child.js',
      "require('../../../core/dist/index.js');\n",
      "'../../../core/dist/index.js' reaches into packages/core",
    ],
  ])('fails when %s imports another package by relative path', (_what, file, text, problem) => {
    const { status, violations } = checkTree({ ...CLEAN, [file]: text });
    expect(status).toBe(1);
    expect(violations).toEqual([expect.stringContaining(`${file}:1: ${problem}`)]);
  });

  it.each([
    ['a folder', 'packages/core/src/events/event.ts', "import { createStore } from '../store/in-memory';\n", "'../store/in-memory' reaches into core's store/ (in-memory)"],
    ['the root index', 'packages/core/src/index.ts', "export * from './store/in-memory';\n", "'./store/in-memory' reaches into core's store/ (in-memory)"],
  ])("fails when %s of core reaches into another folder's internals", (_what, file, text, problem) => {
    const { status, violations } = checkTree({ ...CLEAN, [file]: text });
    expect(status).toBe(1);
    expect(violations).toEqual([expect.stringContaining(`${file}:1: ${problem}`)]);
  });

  it('reports every violation of a file, each at its own line', () => {
    const file = 'packages/core/src/events/event.ts';
    const text = "import { a } from '../store/in-memory';\nimport { b } from '@custodian/sqlite';\n\nimport { c } from '../../../sqlite/src/helper';\n";
    const { status, violations } = checkTree({ ...CLEAN, [file]: text });
    expect(status).toBe(1);
    expect(violations.map((line) => line.split(': ')[0])).toEqual([`${file}:1`, `${file}:2`, `${file}:4`]);
  });
});
