import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { categoryKeyId } from '@custodian/core';
import { cli } from '../test-support/capture';
import { ADDRESS, EMAIL, MASTER_KEY, OTHER, storyFile, SUBJECT } from '../test-support/fixture';

let story: Awaited<ReturnType<typeof storyFile>>;
beforeAll(async () => {
  story = await storyFile();
});
afterAll(() => story.remove());

const withKey = { CUSTODIAN_MASTER_KEY: MASTER_KEY };
type Export = { format: string; subjectId: string; erased: boolean; data: { category: string; value: string | null }[]; recipients: { erasure: string }[]; history: unknown[] };

describe('custodian export', () => {
  it('exports with every value null without keys, and says so on stderr', async () => {
    const { code, stdout, stderr } = await cli(['export', OTHER, '--json'], { cwd: story.dir, env: withKey });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Export;
    expect(report).toMatchObject({ format: 'custodian.subject-export/1', subjectId: OTHER, erased: false });
    expect(report.data.map((d) => [d.category, d.value])).toEqual([
      ['contact.email', null],
      ['contact.address', null],
    ]);
    expect(stderr).toBe('custodian: values were not decrypted, so they are null: pass --keys <dir> and set CUSTODIAN_MASTER_KEY to decrypt them\n');
  });

  it('decrypts the values with --keys and the master key', async () => {
    const { code, stdout, stderr } = await cli(['export', OTHER, '--keys', 'keys', '--json'], { cwd: story.dir, env: withKey });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect((JSON.parse(stdout) as Export).data.map((d) => d.value)).toEqual(['bob@example.com', '1 Oak Road']);
  });

  it('prints the export as tables for people', async () => {
    const { code, stdout } = await cli(['export', OTHER, '--db', story.db, '--keys', join(story.dir, 'keys')], { cwd: '/', env: withKey });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Export of subject ${OTHER} \\(custodian\\.subject-export/1\\)`));
    expect(stdout).toMatch(/contact\.address +1 Oak Road +checkout-form +order\.fulfilment/);
    expect(stdout).toMatch(/order\.fulfilment +contract +P6Y +contact\.email, contact\.address +no/);
    expect(stdout).toMatch(/checkout-service +used +contact\.address +order\.fulfilment +ship:order-1001 +contract/);
  });

  it('exports an erased subject with null values even with the keys: they are gone for good', async () => {
    const { code, stdout, stderr } = await cli(['export', SUBJECT, '--keys', 'keys', '--json'], { cwd: story.dir, env: withKey });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Export;
    expect(report.erased).toBe(true);
    expect(report.data.every((d) => d.value === null)).toBe(true);
    expect(report.recipients).toEqual([expect.objectContaining({ recipientId: 'brightmail-agency', erasure: 'pending' })]);
    expect(stdout).not.toContain(EMAIL);
    expect(stdout).not.toContain(ADDRESS);
    expect(stderr).toContain('the subject was erased: their values are gone for good');
  });

  it('says when the key folder holds no key for the subject', async () => {
    mkdirSync(join(story.dir, 'other-keys'));
    const { code, stderr } = await cli(['export', OTHER, '--keys', 'other-keys'], { cwd: story.dir, env: withKey });
    expect(code).toBe(0);
    expect(stderr).toContain(`no key for ${OTHER} in ${join(story.dir, 'other-keys')}, so values are null`);
  });

  /** The key of the customer's address: each category has a key of its own, its file named by the SHA-256 of the key's id. */
  const ADDRESS_KEY = categoryKeyId(OTHER, 'contact.address', 0);
  function damagedKeys(name: string, damage: (file: string) => void): void {
    cpSync(join(story.dir, 'keys'), join(story.dir, name), { recursive: true });
    damage(join(story.dir, name, `${createHash('sha256').update(ADDRESS_KEY).digest('hex')}.key`));
  }

  it('reports a truncated key file as corrupt (KEY_FILE_CORRUPT) with exit 3, not as a cipher error or a wrong master key', async () => {
    damagedKeys('truncated-keys', (file) => truncateSync(file, 30));
    const { code, stdout, stderr } = await cli(['export', OTHER, '--keys', 'truncated-keys'], { cwd: story.dir, env: withKey });
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^custodian: the key file [0-9a-f]{64}\\.key of subject ${ADDRESS_KEY} is corrupt: 30 bytes where a wrapped key has 60\n$`));
  });

  it('says a key file that does not unwrap under the right master key may have been altered (KEY_UNWRAP_FAILED), exit 2', async () => {
    damagedKeys('altered-keys', (file) =>
      writeFileSync(
        file,
        readFileSync(file).map((b, i) => (i === 30 ? b ^ 1 : b)),
      ),
    );
    const { code, stdout, stderr } = await cli(['export', OTHER, '--keys', 'altered-keys'], { cwd: story.dir, env: withKey });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /the master key in CUSTODIAN_MASTER_KEY does not open the keys in .*altered-keys \(key file [0-9a-f]{64}\.key: the wrong master key, or the file was altered\)/,
    );
  });

  it.each([
    ['no master key', {}, 'keys', /--keys needs the master key in the environment variable CUSTODIAN_MASTER_KEY \(64 hex characters\)/],
    ['a malformed master key', { CUSTODIAN_MASTER_KEY: 'secret-but-short' }, 'keys', /CUSTODIAN_MASTER_KEY must be 64 hex characters \(32 bytes\)/],
    ['the wrong master key', { CUSTODIAN_MASTER_KEY: 'b2'.repeat(32) }, 'keys', /the master key in CUSTODIAN_MASTER_KEY does not open the keys in /],
    ['a missing key folder', withKey, 'no-such-keys', /no key folder at .*no-such-keys/],
  ])('refuses %s with exit 2', async (_what, env, keys, message) => {
    const { code, stdout, stderr } = await cli(['export', OTHER, '--keys', keys], { cwd: story.dir, env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain('secret-but-short');
    expect(stderr).not.toContain('b2b2b2');
  });
});
