import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { TestServerOptions } from './server';

export interface SpawnedTestServer {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * Runs the test server in a child process (see main.ts for why). Resolves once it listens.
 * Built (`@custodian/eventstoredb/testing` from dist) it runs main.js; run from the sources
 * (jest, ts-node) it runs main.ts through ts-node.
 */
export function spawnTestServer(options: TestServerOptions = {}): Promise<SpawnedTestServer> {
  const fromSources = __filename.endsWith('.ts');
  const child = fork(join(__dirname, fromSources ? 'main.ts' : 'main.js'), [JSON.stringify(options)], {
    execArgv: fromSources ? ['-r', require.resolve('ts-node/register/transpile-only')] : [],
    env: fromSources ? { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', '..', 'tsconfig.json') } : process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`test server exited with code ${String(code)} before listening`)));
    child.once('message', (message) => {
      const { port, connectionString } = message as { port: number; connectionString: string };
      resolve({
        port,
        connectionString,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
