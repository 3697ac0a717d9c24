import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUBJECT } from './test-support/fixture';
import { useStoryFiles } from './test-support/story-files';

// The built command, run as a user runs it: the exit codes a shell script sees.
const MAIN = join(__dirname, '..', 'dist', 'main.js');
const custodian = (args: string[], cwd: string) => spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CUSTODIAN_MASTER_KEY: '' } });

const files = useStoryFiles();

describe('the custodian executable', () => {
  it('is a node script', () => {
    expect(readFileSync(MAIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('exits 0 when all is well', () => {
    const run = custodian(['verify'], files.story.dir);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `Chain intact: 16 events checked in ${files.story.db}, no link broken.\nNot checked: whether the latest events of a stream, or whole streams, were removed. Per-stream chains cannot show that; only a signed checkpoint can (pass --checkpoint <file> --public-key <key>).\n`,
    );
    expect(run.status).toBe(0);
  });

  it('exits 1 when the chain is broken', () => {
    const run = custodian(['verify', '--json'], files.tampered.dir);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, broken: [{ reason: 'hash_mismatch', revision: '2' }] });
  });

  it('exits 2 on a usage error, with the reason on stderr', () => {
    const run = custodian(['verify', '--frob'], files.story.dir);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("custodian: unknown option '--frob'\nRun 'custodian verify --help' for usage.\n");
  });

  it('exits 3 when the ledger cannot be read', () => {
    const run = custodian(['stats', '--eventstore', 'esdb://127.0.0.1:1?tls=false'], files.story.dir);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/^custodian: could not read from EventStoreDB at esdb:\/\/127\.0\.0\.1:1\?tls=false/);
  });

  it('writes the whole of a long JSON answer to a pipe', () => {
    const run = custodian(['report', SUBJECT, '--json'], files.story.dir);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { items: unknown[] }).items).toHaveLength(11);
  });
});
