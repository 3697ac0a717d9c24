import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { collect, testEvent } from '@custodian/testing';
import { ValidationError } from '@custodian/core';
import {
  createPostgresEventStore,
  PostgresUnavailableError,
  SCHEMA_VERSION,
  ReadOnlyStoreError,
  SchemaMissingError,
  UnsupportedSchemaError,
  type PostgresEventStoreOptions,
} from './index';
import { useTestDatabase } from './test-support/postgres';

const database = useTestDatabase();

let schemas = 0;
const freshSchema = () => `bad_input_${++schemas}`;
const schemaExists = async (schema: string) => (await database.admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).rowCount === 1;
const refusal = (options: unknown) =>
  createPostgresEventStore(options as PostgresEventStoreOptions).then(
    () => 'opened',
    (error: unknown) => error,
  );

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('malformed options', () => {
  it.each([
    ['not a URL', 'not a url'],
    ['another scheme, carrying a password', 'mysql://admin:s3cret-pw@127.0.0.1/ledger'],
    ['no host', 'postgres:///ledger'],
    ['an empty string', ''],
  ])('refuses %s as connectionString with a ValidationError that shows the right form and never the value', async (_, connectionString) => {
    const error = await refusal({ connectionString });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: 'connectionString', message: expect.stringContaining('postgres://user:password@localhost:5432/ledger') }]);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('names each bad field: a schema name that is not a plain lower-case name, an unknown option, a pool that is not one', async () => {
    const badSchema = (await refusal({ connectionString: database.url, schema: 'Robert"; DROP TABLE x; --' })) as ValidationError;
    expect(badSchema.issues.map((issue) => issue.path)).toEqual(['schema']);
    const unknown = (await refusal({ connectionString: database.url, poolsize: 3 })) as ValidationError;
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.issues).toHaveLength(1);
    const pool = (await refusal({ pool: { query: 'no' } })) as ValidationError;
    expect(pool.issues).toEqual([{ path: 'pool', message: 'must be a pg Pool' }]);
  });
});

describe('a server or database that is not there', () => {
  it('is a PostgresUnavailableError naming host, port and database and what to check, without the password', async () => {
    const port = await closedPort();
    const error = await refusal({ connectionString: `postgres://custodian:s3cret-pw@127.0.0.1:${port}/ledger` });
    expect(error).toBeInstanceOf(PostgresUnavailableError);
    expect(error).toMatchObject({ code: 'POSTGRES_UNAVAILABLE', database: `127.0.0.1:${port}/ledger`, reason: 'ECONNREFUSED' });
    expect((error as Error).message).toMatch(/check that the server runs/);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('says so for a database the server does not have', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_ledger';
    const error = await refusal({ connectionString: url.toString() });
    expect(error).toBeInstanceOf(PostgresUnavailableError);
    expect(error).toMatchObject({ reason: '3D000', database: `${url.hostname}:${url.port}/no_such_ledger` });
  });
});

describe('a database without the ledger', () => {
  it.each([
    ['read-only', { readonly: true }],
    ['without migrate', { migrate: false }],
  ])('is refused, opened %s, with SchemaMissingError saying how to create it, and nothing is created', async (_, mode) => {
    const schema = freshSchema();
    const error = await refusal({ connectionString: database.url, schema, ...mode });
    expect(error).toBeInstanceOf(SchemaMissingError);
    expect(error).toMatchObject({ code: 'POSTGRES_SCHEMA_MISSING', location: { schema } });
    expect((error as Error).message).toMatch(/open it once without readonly/);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('is created once when eight stores open it at the same moment, each on its own connections', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 8 }, () => createPostgresEventStore({ connectionString: database.url, schema, poolSize: 1 })));
    try {
      const { rows } = await database.admin.query(`SELECT version FROM ${schema}.schema_version`);
      expect(rows).toEqual([{ version: SCHEMA_VERSION }]);
      await Promise.all(stores.map((store, i) => store.append(`s-${i}`, [testEvent()], 'no_stream')));
      expect((await collect(stores[0]!.readAll())).map((event) => event.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

describe('a ledger of a newer schema version', () => {
  it.each([
    ['to migrate', {}],
    ['read-only', { readonly: true }],
  ])('is refused, opened %s, with UnsupportedSchemaError saying to upgrade, and left as it is', async (_, mode) => {
    const schema = freshSchema();
    const store = await createPostgresEventStore({ connectionString: database.url, schema });
    await store.append('kept', [testEvent('Kept')], 'no_stream');
    await store.close();
    await database.admin.query(`UPDATE ${schema}.schema_version SET version = 99`);

    const error = await refusal({ connectionString: database.url, schema, ...mode });
    expect(error).toBeInstanceOf(UnsupportedSchemaError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_SCHEMA', found: 99, supported: SCHEMA_VERSION });
    expect((error as Error).message).toMatch(/upgrade @custodian\/postgres/);
    expect((await database.admin.query(`SELECT version FROM ${schema}.schema_version`)).rows).toEqual([{ version: 99 }]);
    expect((await database.admin.query(`SELECT stream FROM ${schema}.events`)).rows).toEqual([{ stream: 'kept' }]);
  });
});

describe('a store opened read-only', () => {
  it('reads the ledger, refuses appends with ReadOnlyStoreError, and its sessions refuse writes on the server too', async () => {
    const schema = freshSchema();
    const writer = await createPostgresEventStore({ connectionString: database.url, schema });
    await writer.append('s', [testEvent('Kept')], 'no_stream');
    await writer.close();
    const reader = await createPostgresEventStore({ connectionString: database.url, schema, readonly: true });
    try {
      expect((await collect(reader.readStream('s'))).map((event) => event.type)).toEqual(['Kept']);
      await expect(reader.append('s', [testEvent('Refused')], 0n)).rejects.toBeInstanceOf(ReadOnlyStoreError);
      await expect(reader.append('s', [testEvent('Refused')], 0n)).rejects.toMatchObject({ code: 'READ_ONLY_STORE', operation: 'append' });
      await expect(reader.pool.query(`SELECT * FROM ${schema}.append_batch('{t}', '{any}', '{1}', '{x}', '{T}', '{}')`)).rejects.toMatchObject({ code: '25006' });
      expect((await collect(reader.readAll())).map((event) => event.type)).toEqual(['Kept']);
    } finally {
      await reader.close();
    }
  });
});
