import { afterAll, beforeAll } from '@jest/globals';
import { InMemoryEventStore } from '@custodian/core';
import { runProjectionRunnerConformance } from '@custodian/testing';
import type { Pool } from 'pg';
import { createPostgresCheckpointStore } from './checkpoints';
import { testSchemas, type TestSchemas } from './test-support/schemas';

let schemas: TestSchemas;
let schema: Pool & { schema: string };
beforeAll(async () => {
  schemas = await testSchemas();
  schema = await schemas.pool();
});
afterAll(() => schemas.stop());

// Each checkpoint store opens a pool of its own on the schema, as a restarted process would.
runProjectionRunnerConformance('PostgreSQL', {
  store: () => new InMemoryEventStore(),
  checkpoints: async (_store, projection) => createPostgresCheckpointStore(await schemas.pool(schema.schema), projection),
});
