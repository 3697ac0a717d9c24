import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { startTestDatabase, type TestDatabase } from './postgres';

let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database.stop());

it('gives each test file a real, empty PostgreSQL database', async () => {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; tables: string }>(
      "SELECT current_setting('server_version') AS version, (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public') AS tables",
    );
    expect(rows[0]?.version).toMatch(/^\d+\.\d+/);
    expect(rows[0]?.tables).toBe('0');
  } finally {
    await client.end();
  }
});
