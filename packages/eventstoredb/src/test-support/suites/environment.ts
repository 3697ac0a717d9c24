import { afterAll, beforeAll } from '@jest/globals';
import { connectClient, type ClientKind, type TestClient } from '../clients';
import { startTarget, type EventStoreTarget, type TestServerOptions } from '../../testing';

/** A server and a client for a describe block; more clients on demand, all closed after it. */
export interface TestEnvironment {
  readonly kind: ClientKind;
  target(): EventStoreTarget;
  /** The block's shared client: stores made from it must not close it. */
  client(): TestClient;
  /** A client of its own (to the target, or elsewhere), closed after the block. */
  connect(connectionString?: string): TestClient;
}

export function useEventStore(kind: ClientKind, options: TestServerOptions = {}): TestEnvironment {
  let target: EventStoreTarget | undefined;
  let shared: TestClient | undefined;
  const others: TestClient[] = [];
  beforeAll(async () => {
    target = await startTarget(options);
    shared = connectClient(kind, target.connectionString);
  });
  afterAll(async () => {
    await Promise.all([shared, ...others].filter((client) => client !== undefined).map((client) => client.dispose()));
    await target?.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test environment is not started yet');
    return value;
  };
  return {
    kind,
    target: () => ready(target),
    client: () => ready(shared),
    connect(connectionString = ready(target).connectionString) {
      const client = connectClient(kind, connectionString);
      others.push(client);
      return client;
    },
  };
}
