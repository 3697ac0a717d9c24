import type * as EventStoreDBClientModule from '@eventstore/db-client';
import type * as KurrentDBClientModule from '@kurrent/kurrentdb-client';
import type { SupportedClient } from '../client';

export type ClientKind = 'eventstoredb' | 'kurrentdb';

export const CLIENT_KINDS: readonly ClientKind[] = ['eventstoredb', 'kurrentdb'];

/*
 * Each client package is loaded only when asked for: loading both in one process would
 * mix their generated protobuf classes (see server/main.ts). The assignments below are
 * also the check that the real clients fit the adapter's SupportedClient type.
 */

/** A client as the adapter sees it, plus what tests do behind the adapter's back. */
export type TestClient = SupportedClient & {
  deleteStream(stream: string): Promise<unknown>;
  tombstoneStream(stream: string): Promise<unknown>;
};

export function connectClient(kind: ClientKind, connectionString: string): TestClient {
  if (kind === 'eventstoredb') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EventStoreDBClient } = require('@eventstore/db-client') as typeof EventStoreDBClientModule;
    const client: TestClient = EventStoreDBClient.connectionString(withScheme(connectionString, 'esdb'));
    return client;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KurrentDBClient } = require('@kurrent/kurrentdb-client') as typeof KurrentDBClientModule;
  // Its native reader waits one discovery interval (500 ms by default) before its first
  // connection; tests make many clients, so they wait less.
  const quick = /discoveryInterval=/i.test(connectionString) ? connectionString : withParameter(connectionString, 'discoveryInterval=10');
  const client: TestClient = KurrentDBClient.connectionString(withScheme(quick, 'kurrentdb'));
  return client;
}

/** The connection string with one more query parameter. */
export function withParameter(connectionString: string, parameter: string): string {
  return `${connectionString}${connectionString.includes('?') ? '&' : '?'}${parameter}`;
}

/** The same server under each client's own scheme (esdb://, kurrentdb://). */
export function withScheme(connectionString: string, scheme: 'esdb' | 'kurrentdb'): string {
  return connectionString.replace(/^(?:esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//, `${scheme}$1://`);
}

export function clientLabel(kind: ClientKind): string {
  return kind === 'eventstoredb' ? '@eventstore/db-client 6.2' : '@kurrent/kurrentdb-client 1.x';
}
