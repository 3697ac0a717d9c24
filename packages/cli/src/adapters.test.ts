import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as Capture from './test-support/capture';
import { storyFile, type Workspace } from './test-support/fixture';

// The adapters are optional peers of the CLI: each test loads the CLI afresh with some of
// them "not installed", a load failing as Node's require fails for a package that is absent.
const notInstalled = (name: string) => () => {
  throw Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- ${__filename}`), { code: 'MODULE_NOT_FOUND' });
};

// Mock factories outlive jest.resetModules: each test's are taken back after it.
const mocked: string[] = [];
function cliWith(mocks: Readonly<Record<string, () => never>>): typeof Capture.cli {
  jest.resetModules();
  for (const [name, factory] of Object.entries(mocks)) {
    jest.doMock(name, factory);
    mocked.push(name);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./test-support/capture') as typeof Capture).cli;
}
const cliWithout = (...missing: string[]) => cliWith(Object.fromEntries(missing.map((name) => [name, notInstalled(name)])));

const NOWHERE = 'esdb://127.0.0.1:1?tls=false';
const PG_NOWHERE = 'postgres://auditor:secret@127.0.0.1:1/ledger';
let story: Workspace;
beforeAll(async () => {
  story = await storyFile();
});
afterAll(() => story.remove());
afterEach(() => {
  for (const name of mocked.splice(0)) jest.dontMock(name);
  jest.resetModules();
});

describe('the CLI without an adapter installed', () => {
  it('says what to install for --eventstore without @custodian/eventstoredb, and still reads a SQLite file', async () => {
    const cli = cliWithout('@custodian/eventstoredb');
    const refused = await cli(['verify', '--eventstore', NOWHERE], { cwd: story.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe("custodian: --eventstore needs @custodian/eventstoredb: npm i @custodian/eventstoredb\nRun 'custodian verify --help' for usage.\n");
    const verified = await cli(['verify', '--db', story.db], { cwd: story.dir });
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^Chain intact: 16 events checked/);
  });

  it("knows a package missing to the built CLI's import() as well as to require", async () => {
    const cli = cliWith({
      '@custodian/eventstoredb': () => {
        throw Object.assign(new Error(`Cannot find package '@custodian/eventstoredb' imported from ${__filename}`), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    const refused = await cli(['verify', '--eventstore', NOWHERE], { cwd: story.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^custodian: --eventstore needs @custodian\/eventstoredb: npm i @custodian\/eventstoredb\n/);
  });

  it('names the EventStoreDB client when only the client is missing', async () => {
    const refused = await cliWithout('@eventstore/db-client')(['stats', '--eventstore', NOWHERE], { cwd: story.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^custodian: --eventstore needs @eventstore\/db-client: npm i @eventstore\/db-client\n/);
  });

  it('says what to install for --db without @custodian/sqlite', async () => {
    const refused = await cliWithout('@custodian/sqlite')(['verify', '--db', story.db], { cwd: story.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^custodian: --db needs @custodian\/sqlite: npm i @custodian\/sqlite\n/);
  });

  it('says what to install for --postgres without @custodian/postgres, before reaching for any server', async () => {
    const refused = await cliWithout('@custodian/postgres')(['report', 'cust-4f9a2c', '--postgres', PG_NOWHERE], { cwd: story.dir });
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: "custodian: --postgres needs @custodian/postgres: npm i @custodian/postgres\nRun 'custodian report --help' for usage.\n",
    });
  });

  it('names the pg driver when only the driver is missing', async () => {
    const refused = await cliWithout('pg')(['verify', '--postgres', PG_NOWHERE], { cwd: story.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^custodian: --postgres needs pg: npm i pg\n/);
  });

  it('does not call a broken install (a file missing inside the package) a missing package', async () => {
    const cli = cliWith({ '@custodian/sqlite': notInstalled('./sqlite-event-store') });
    const failed = await cli(['verify', '--db', story.db], { cwd: story.dir });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/^custodian: Cannot find module '\.\/sqlite-event-store'/);
  });
});
