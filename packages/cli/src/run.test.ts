import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from './commands';
import { cli } from './test-support/capture';
import { storyFile, workspace, type Workspace } from './test-support/fixture';

let empty: Workspace;
let story: Awaited<ReturnType<typeof storyFile>>;
beforeAll(async () => {
  empty = workspace();
  story = await storyFile();
});
afterAll(() => {
  empty.remove();
  story.remove();
});

describe('help', () => {
  it('lists every command', async () => {
    const { code, stdout, stderr } = await cli(['--help'], { cwd: empty.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const name of ['verify', 'replay', 'report', 'violations', 'export', 'stats']) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(stdout).toContain('--eventstore <connection string>');
    expect(stdout).toMatch(/Exit codes:\n\s+0 +all is well\n\s+1 +the chain is broken, violations were found, or another finding the command's --help names\n\s+2 +usage error/);
  });

  it.each(COMMANDS.map((c) => c.name))('explains %s without opening a ledger', async (name) => {
    const { code, stdout } = await cli([name, '--help'], { cwd: empty.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: custodian ${name}`));
    expect(stdout).toContain('--db <file>');
    expect(stdout).toContain('--json');
    expect(stdout).toContain('Examples:');
  });

  it('shows the options a command has', async () => {
    expect((await cli(['replay', '-h'], { cwd: empty.dir })).stdout).toMatch(/--at <time\|position>[\s\S]*--subject <id>/);
    expect((await cli(['report', '--help'], { cwd: empty.dir })).stdout).toMatch(/Usage: custodian report <subjectId> \[options\][\s\S]*--html <file>/);
    expect((await cli(['export', '--help'], { cwd: empty.dir })).stdout).toMatch(/--keys <dir>[\s\S]*CUSTODIAN_MASTER_KEY/);
    expect((await cli(['violations', '--help'], { cwd: empty.dir })).stdout).toMatch(/--policy <file\.json>/);
  });

  it('prints its version', async () => {
    expect(await cli(['--version'], { cwd: empty.dir })).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});

describe('usage errors exit 2, say what is wrong and point to --help', () => {
  const cases: [string, string[], RegExp, string][] = [
    ['no command', [], /missing command: one of verify, replay, report, violations, export, stats/, "'custodian --help'"],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/, "'custodian --help'"],
    ['an unknown option', ['verify', '--frob'], /unknown option '--frob'/, "'custodian verify --help'"],
    ['an option without its value', ['verify', '--db'], /option '--db' needs a value \(<file>\)/, "'custodian verify --help'"],
    ['a value for a flag', ['stats', '--json=yes'], /option '--json' takes no value/, "'custodian stats --help'"],
    ['a missing argument', ['report'], /report needs <subjectId>/, "'custodian report --help'"],
    ['an extra argument', ['verify', 'now'], /unexpected argument 'now'/, "'custodian verify --help'"],
    ['replay without --at', ['replay'], /replay needs --at <time\|position>/, "'custodian replay --help'"],
    ['two ledgers', ['verify', '--db', 'a.db', '--eventstore', 'esdb://localhost:2113'], /either --db or --eventstore, not both/, "'custodian verify --help'"],
  ];
  it.each(cases)('%s', async (_name, argv, message, help) => {
    const { code, stdout, stderr } = await cli(argv, { cwd: story.dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain(`Run ${help} for usage.`);
  });

  it('names the missing default ledger file and how to choose another', async () => {
    const { code, stderr } = await cli(['verify'], { cwd: empty.dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`no ledger file at ${join(empty.dir, 'custodian.db')}; pass --db <file> or --eventstore <connection string>`);
  });

  it('refuses a --db that does not exist, and does not create it', async () => {
    const { code, stderr } = await cli(['stats', '--db', 'typo.db'], { cwd: empty.dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`no ledger file at ${join(empty.dir, 'typo.db')}`);
    expect(existsSync(join(empty.dir, 'typo.db'))).toBe(false);
  });

  it('refuses a connection string EventStoreDB does not understand', async () => {
    const { code, stderr } = await cli(['verify', '--eventstore', 'localhost:2113'], { cwd: empty.dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--eventstore is not a connection string EventStoreDB understands/);
  });

  it('refuses an unknown subject', async () => {
    for (const argv of [
      ['report', 'cust-nobody'],
      ['export', 'cust-nobody'],
      ['replay', '--at', '3', '--subject', 'cust-nobody'],
    ]) {
      const { code, stderr } = await cli(argv, { cwd: story.dir });
      expect(code).toBe(2);
      expect(stderr).toContain('the ledger holds nothing about subject cust-nobody');
    }
  });
});

describe('ledger options', () => {
  it('refuses a file that is not a ledger with exit 3: the file is there, but cannot be read as a ledger', async () => {
    writeFileSync(join(empty.dir, 'notes.txt'), 'not a database at all, just some notes that are long enough to fill a header. '.repeat(3));
    const { code, stderr } = await cli(['verify', '--db', 'notes.txt'], { cwd: empty.dir });
    expect(code).toBe(3);
    expect(stderr).toMatch(/notes\.txt is not a SQLite file, so not a Custodian ledger/);
  });

  it('may come before the command', async () => {
    const { code, stdout } = await cli(['--db', story.db, 'verify'], { cwd: empty.dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`Chain intact: 16 events checked in ${story.db}`);
  });

  it('exits 3 when EventStoreDB cannot be reached, naming it without its credentials', async () => {
    const { code, stderr } = await cli(['stats', '--eventstore', 'esdb://admin:changeit@127.0.0.1:1?tls=false'], { cwd: empty.dir });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^custodian: could not read from EventStoreDB at esdb:\/\/127\.0\.0\.1:1\?tls=false: /);
    expect(stderr).not.toContain('changeit');
  });
});
