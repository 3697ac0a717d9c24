import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as app from './index';
import { InMemoryEventStore } from './store';
import * as storeKit from './store-kit';
import * as testing from './testing';

const RAW = ['rawRecords', 'overwriteRaw', 'insertRaw'];
const SPI = [
  'validateAppend',
  'validateExpectedRevision',
  'validateReadAllOptions',
  'validateReadStreamOptions',
  'validateSubscribeOptions',
  'validateSnapshotArguments',
  'checkExpectedRevision',
  'checkRepeatedIds',
  'subscriptionLoop',
  'MAX_REVISION',
  'asciiAt',
  'holdsId',
  'storedHash',
  'streamMember',
];

/** Every property name reachable on a value, its prototypes' included. */
function reachable(value: object): string[] {
  const names: string[] = [];
  for (let at: object | null = value; at !== null && at !== Object.prototype; at = Object.getPrototypeOf(at) as object | null) names.push(...Object.getOwnPropertyNames(at));
  return names;
}

describe("@custodian/core's entry points", () => {
  it('ship an in-memory store with no way to read or rewrite its stored bytes', async () => {
    const store = new InMemoryEventStore();
    await store.append('s', [{ id: 'e-1', type: 'T', data: Buffer.from('{}') }], 'no_stream');
    expect(reachable(store).filter((name) => /raw/i.test(name))).toEqual([]);
    expect(reachable(InMemoryEventStore).filter((name) => /raw/i.test(name))).toEqual([]);
    expect(testing.rawRecords(store)).toHaveLength(1);
  });

  it('keep the adapter SPI and raw access out of the application API', () => {
    expect(Object.keys(app).filter((name) => [...RAW, ...SPI].includes(name))).toEqual([]);
    expect(Object.keys(storeKit).sort()).toEqual([...SPI].sort());
    expect(Object.keys(testing).sort()).toEqual([...RAW].sort());
  });

  it('refuse raw access to anything but an InMemoryEventStore', () => {
    const lookalike = { ...new InMemoryEventStore() } as unknown as InMemoryEventStore;
    expect(() => testing.rawRecords(lookalike)).toThrow(/InMemoryEventStore/);
    expect(() => testing.overwriteRaw(lookalike, 's', 0n, Buffer.from('x'))).toThrow(/InMemoryEventStore/);
  });

  it('publish each subpath from a source of its own, for tsc (exports, typesVersions) and jest alike', async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; default: string }>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== '.' && key !== './package.json');
    expect(subpaths.sort()).toEqual(['./store-kit', './testing']);
    for (const subpath of subpaths) {
      const name = subpath.slice(2);
      expect(manifest.exports[subpath]).toEqual({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
      expect(manifest.typesVersions['*']?.[name]).toEqual([`./dist/${name}.d.ts`]);
      expect(existsSync(join(__dirname, `${name}.ts`))).toBe(true);
    }
    // By name, as other packages import them: through jest's mapper here, tsconfig.tests.json's paths for tsc.
    expect(await import('@custodian/core/testing')).toBe(testing);
    expect(await import('@custodian/core/store-kit')).toBe(storeKit);
  });
});
