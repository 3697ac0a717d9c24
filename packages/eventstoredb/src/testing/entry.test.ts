import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as app from '../index';
import * as testing from './index';

describe('@custodian/eventstoredb/testing', () => {
  it('publishes the test server by name, apart from the adapter', async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(manifest.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
    expect(manifest.typesVersions['*']?.['testing']).toEqual(['./dist/testing/index.d.ts']);
    expect(await import('@custodian/eventstoredb/testing')).toBe(testing);
    expect(Object.keys(testing).sort()).toEqual(['REAL_SERVER', 'spawnTestServer', 'startTarget', 'startTestServer']);
    expect(Object.keys(app).filter((name) => name in testing)).toEqual([]);
  });

  it('serves the wire protocol from a child process a client can reach', async () => {
    const server = await testing.spawnTestServer();
    try {
      expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`);
    } finally {
      await server.stop();
    }
  });
});
