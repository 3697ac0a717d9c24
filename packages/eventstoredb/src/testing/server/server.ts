import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { EventLog } from './log';
import { handleAppend, handleBatchAppend } from './append';
import { handleDelete, handleTombstone } from './delete';
import { handleRead } from './read';

export interface TestServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Advertise and serve BatchAppend (the default), which the clients then prefer to Append. */
  batchAppend?: boolean;
}

export interface RunningTestServer {
  readonly port: number;
  readonly connectionString: string;
  readonly log: EventLog;
  stop(): Promise<void>;
}

const SERVER_VERSION = '23.10.0';

/** Starts the EventStoreDB wire-protocol test server on loopback, without TLS. */
export async function startTestServer(options: TestServerOptions = {}): Promise<RunningTestServer> {
  const log = new EventLog();
  const batchAppend = options.batchAppend ?? true;
  const server = new Server();
  const streams: UntypedServiceImplementation = {
    read: handleRead(log),
    append: handleAppend(log),
    delete: handleDelete(log),
    tombstone: handleTombstone(log),
  };
  if (batchAppend) streams['batchAppend'] = handleBatchAppend(log);
  server.addService(StreamsService, streams);
  server.addService(ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: (error: null, value: SupportedMethods) => void) => callback(null, supportedMethods(batchAppend)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        // Subscriptions never end by themselves, so a graceful shutdown would wait forever.
        server.forceShutdown();
        resolve();
      }),
  };
}

function supportedMethods(batchAppend: boolean): SupportedMethods {
  const methods = ['read', 'append', 'delete', 'tombstone', ...(batchAppend ? ['batchappend'] : [])];
  return new SupportedMethods()
    .setEventStoreServerVersion(SERVER_VERSION)
    .setMethodsList([
      ...methods.map((name) => new SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(name)),
      new SupportedMethod().setServiceName('event_store.client.server_features.serverfeatures').setMethodName('getsupportedmethods'),
    ]);
}
