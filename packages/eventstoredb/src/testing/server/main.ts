import { startTestServer, type TestServerOptions } from './server';

// Child-process entry of the test server. It runs apart from the client under test because
// both client packages register their generated classes in google-protobuf's one global
// namespace: in one process, the second loaded would replace the first's. Options come as
// JSON in argv[2]; the port goes back over IPC; the server stops when the parent goes away.
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as TestServerOptions;
  const server = await startTestServer(options);
  const stop = () => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.send?.({ port: server.port, connectionString: server.connectionString });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
