import { createServer, connect, type Socket } from 'node:net';

/** When the connection is cut: before the request reaches the server, or after it answered. */
export type DropMode = 'before-server' | 'after-server';

export interface FlakyProxy {
  readonly port: number;
  /**
   * Cuts the connection that next carries `marker` from client to server. 'after-server'
   * forwards the request, swallows the answer, and cuts once the server has answered: the
   * write happened but the client cannot know. Resolves when the cut is made.
   */
  dropOnce(marker: Buffer, mode: DropMode): Promise<void>;
  /** Cuts every connection open now; new ones go through. */
  dropAll(): void;
  close(): Promise<void>;
}

// Long enough for the rest of the answer to arrive and be swallowed too.
const SETTLE_MS = 50;

/**
 * A TCP proxy in front of an EventStoreDB (real or test server) that can drop a
 * connection in the middle of a request, as a network failure would. It spots the request
 * by a marker in the bytes, so the connection must be without TLS.
 */
export async function startFlakyProxy(targetHost: string, targetPort: number): Promise<FlakyProxy> {
  const sockets = new Set<Socket>();
  let armed: { marker: Buffer; mode: DropMode; done: () => void } | undefined;

  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    let swallowing = false;
    let tail = Buffer.alloc(0);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const trap = armed;
      const seen = Buffer.concat([tail, chunk]);
      tail = seen.subarray(Math.max(0, seen.length - 256));
      if (trap && seen.includes(trap.marker)) {
        armed = undefined;
        if (trap.mode === 'before-server') {
          cut();
          return trap.done();
        }
        swallowing = true;
        upstream.once('data', () =>
          setTimeout(() => {
            cut();
            trap.done();
          }, SETTLE_MS),
        );
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!swallowing) client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    port,
    dropOnce(marker, mode) {
      return new Promise<void>((resolve) => (armed = { marker, mode, done: resolve }));
    },
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
