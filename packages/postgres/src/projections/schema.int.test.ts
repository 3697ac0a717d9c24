import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore, ValidationError } from '@custodian/core';
import { analyticsStory } from '@custodian/testing';
import { createPostgresProjections, PROJECTION_TABLES, PROJECTIONS_SCHEMA_VERSION, ProjectionsSchemaTooNewError, ProjectionTableConflictError } from './index';
import { rows, snapshot, testSchemas, type TestSchemas } from './test-support/schemas';

let schemas: TestSchemas;
beforeAll(async () => {
  schemas = await testSchemas();
});
afterAll(() => schemas.stop());

const tablesIn = async (schema: string) =>
  (await rows<{ table_name: string }>(await schemas.pool(schema), 'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema])).map(
    (row) => row.table_name,
  );

describe('the projections schema on PostgreSQL', () => {
  it('is made once when several instances start at once on an empty database', async () => {
    const first = await schemas.pool();
    const pools = [first, ...(await Promise.all(Array.from({ length: 5 }, () => schemas.pool(first.schema))))];
    const store = new InMemoryEventStore();
    const started = await Promise.all(pools.map((pool) => createPostgresProjections({ pool, store })));
    await Promise.all(started.map((projections) => projections.close()));
    expect(await tablesIn(first.schema)).toEqual([...PROJECTION_TABLES, 'projection_checkpoints'].sort());
    expect(await rows(first, 'SELECT name, position, schema_version FROM projection_checkpoints')).toEqual([
      { name: 'analytics', position: null, schema_version: PROJECTIONS_SCHEMA_VERSION },
    ]);
  });

  it('refuses tables of a newer layout with a typed error saying what to do, and changes nothing', async () => {
    const pool = await schemas.pool();
    const store = new InMemoryEventStore();
    await analyticsStory.writeStory(store);
    const projections = await createPostgresProjections({ pool, store });
    await projections.catchUp();
    await projections.close();
    await pool.query("UPDATE projection_checkpoints SET schema_version = $1 WHERE name = 'analytics'", [PROJECTIONS_SCHEMA_VERSION + 1]);
    const tables = await snapshot(pool);
    const checkpoint = await rows(pool, 'SELECT * FROM projection_checkpoints');

    const refused = createPostgresProjections({ connectionString: schemas.url(pool.schema), store });
    await expect(refused).rejects.toBeInstanceOf(ProjectionsSchemaTooNewError);
    await expect(refused).rejects.toMatchObject({ code: 'PROJECTIONS_SCHEMA_TOO_NEW', found: PROJECTIONS_SCHEMA_VERSION + 1, supported: PROJECTIONS_SCHEMA_VERSION });
    await expect(refused).rejects.toThrow(/upgrade @custodian\/postgres/);
    expect(await snapshot(pool)).toEqual(tables);
    expect(await rows(pool, 'SELECT * FROM projection_checkpoints')).toEqual(checkpoint);
  });

  it('replaces tables of an older layout and refills them from the events', async () => {
    const pool = await schemas.pool();
    const store = new InMemoryEventStore();
    await analyticsStory.writeStory(store);
    const first = await createPostgresProjections({ pool, store });
    await first.catchUp();
    await first.close();
    const tables = await snapshot(pool);
    await pool.query("UPDATE projection_checkpoints SET schema_version = 0 WHERE name = 'analytics'");
    await pool.query('ALTER TABLE consent_state ADD COLUMN from_an_older_layout TEXT');

    const upgraded = await createPostgresProjections({ pool, store });
    expect(await upgraded.checkpoint()).toBeUndefined();
    expect(await rows(pool, 'SELECT COUNT(*)::int AS n FROM consent_state')).toEqual([{ n: 0 }]);
    await upgraded.catchUp();
    await upgraded.close();
    expect(await snapshot(pool)).toEqual(tables);
  });

  it('never drops a table it did not make: a clash is a typed error naming it, and nothing is created', async () => {
    const pool = await schemas.pool();
    await pool.query('CREATE TABLE subjects (subject_id TEXT PRIMARY KEY, owner TEXT); INSERT INTO subjects VALUES ($$someone-elses$$, $$app$$)');
    const refused = createPostgresProjections({ pool, store: new InMemoryEventStore() });
    await expect(refused).rejects.toBeInstanceOf(ProjectionTableConflictError);
    await expect(refused).rejects.toMatchObject({ code: 'PROJECTION_TABLE_CONFLICT', table: 'subjects' });
    expect(await tablesIn(pool.schema)).toEqual(['subjects']);
    expect(await rows(pool, 'SELECT * FROM subjects')).toEqual([{ subject_id: 'someone-elses', owner: 'app' }]);
  });

  it('refuses a connection string that is no PostgreSQL URL as the event store does, naming the field and never repeating the string', async () => {
    const store = new InMemoryEventStore();
    for (const connectionString of ['', 'not a url', 'postgres://u:s3cret pw@host:notaport/x', 'mysql://u:s3cret@host/x']) {
      const refused = createPostgresProjections({ connectionString, store });
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'connectionString', message: expect.stringContaining('postgres://') }] });
      const { message } = (await refused.catch((error: unknown) => error)) as Error;
      expect(message).not.toContain('s3cret');
      expect(message).not.toContain('not a url');
    }
  });

  it('names each other bad option, and opens nothing: a batch size that is no positive whole number, a store that is none, an unknown option', async () => {
    const pool = await schemas.pool();
    const store = new InMemoryEventStore();
    const cases: [unknown, string][] = [
      [{ pool, store, batchSize: 0 }, 'batchSize'],
      [{ pool, store, batchSize: 2.5 }, 'batchSize'],
      [{ pool, store: { append: 'no' } }, 'store'],
      [{ pool, store, batchsize: 10 }, 'batchsize'],
    ];
    for (const [options, path] of cases) {
      const error = await createPostgresProjections(options as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([path]);
    }
    expect(await tablesIn(pool.schema)).toEqual([]);
  });
});
