import { spawnTestServer } from './server/spawn';
import type { TestServerOptions } from './server/server';

/** Where the tests' EventStoreDB is: the test server, or a real one named by the environment. */
export interface EventStoreTarget {
  readonly connectionString: string;
  readonly host: string;
  readonly port: number;
  /** True when EVENTSTORE_CONNECTION_STRING names a real server. */
  readonly real: boolean;
  stop(): Promise<void>;
}

export const REAL_SERVER = process.env['EVENTSTORE_CONNECTION_STRING'];

/**
 * A real server if EVENTSTORE_CONNECTION_STRING is set; otherwise the test server, in a
 * child process: apart from whichever client is under test (see server/main.ts), and on
 * a core of its own, as a real server would be.
 */
export async function startTarget(options: TestServerOptions = {}): Promise<EventStoreTarget> {
  if (REAL_SERVER) {
    const { hostname, port } = new URL(REAL_SERVER.replace(/^[a-z+]+:\/\/([^@/]*@)?/, 'http://'));
    return { connectionString: REAL_SERVER, host: hostname, port: Number(port || 2113), real: true, stop: async () => undefined };
  }
  const server = await spawnTestServer(options);
  return { connectionString: server.connectionString, host: '127.0.0.1', port: server.port, real: false, stop: () => server.stop() };
}
