import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEvent } from '@custodian/testing';
import * as app from './index';
import * as testing from './testing';

const root = mkdtempSync(join(tmpdir(), 'custodian-sqlite-testing-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('@custodian/sqlite/testing', () => {
  it('is the only way to the stored bytes: the shipped store has no raw method', async () => {
    const store = app.createSqliteEventStore({ path: join(root, 'a.db') });
    try {
      await store.append('s', [testEvent('T', { n: 1 })], 'no_stream');
      expect(Object.keys(store).filter((name) => /raw/i.test(name))).toEqual([]);
      expect(Object.keys(app).filter((name) => /raw/i.test(name))).toEqual([]);
      expect(Object.keys(testing).sort()).toEqual(['overwriteRaw', 'rawRecords']);
      expect(testing.rawRecords(store)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('refuses a look-alike of a store: raw access is registered by createSqliteEventStore alone', async () => {
    const store = app.createSqliteEventStore({ path: join(root, 'b.db') });
    try {
      const lookalike = { ...store };
      expect(() => testing.rawRecords(lookalike)).toThrow(/createSqliteEventStore/);
      expect(() => testing.overwriteRaw(lookalike, 's', 0n, Buffer.from('x'))).toThrow(/createSqliteEventStore/);
    } finally {
      await store.close();
    }
  });

  it('is published as a subpath of the package, from its own source', async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(manifest.exports['./testing']).toEqual({ types: './dist/testing.d.ts', default: './dist/testing.js' });
    expect(manifest.typesVersions['*']?.['testing']).toEqual(['./dist/testing.d.ts']);
    expect(await import('@custodian/sqlite/testing')).toBe(testing);
  });
});
