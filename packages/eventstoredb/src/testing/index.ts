/**
 * `@custodian/eventstoredb/testing`: an EventStoreDB for tests. `startTarget` gives a real
 * server when EVENTSTORE_CONNECTION_STRING names one, else the wire-protocol test server in
 * a child process; `startTestServer` runs that server in this process. It needs
 * `@eventstore/db-client`, `@grpc/grpc-js` and `google-protobuf` installed (optional peers).
 */
export { startTarget, REAL_SERVER, type EventStoreTarget } from './target';
export { spawnTestServer, type SpawnedTestServer } from './server/spawn';
export { startTestServer, type RunningTestServer, type TestServerOptions } from './server/server';
