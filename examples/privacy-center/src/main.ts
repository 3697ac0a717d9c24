// The quickstart's customer opens her privacy center: the quickstart's story is told into a
// SQLite ledger, then a node:http server mounts the center and prints a signed link for her,
// as a service would email it. Her page shows what is held and why, who used and received
// her email; its forms withdraw a consent, object, restrict, export or ask for erasure, each
// an event of the ledger with a receipt signed by the ledger's checkpoints.
// Usage: node dist/main.js [ledger.db] (PORT=0 picks a free port; PRIVACY_CENTER_SECRET signs links).
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createCheckpointer, createInMemoryPublisher, createPemSigner, generateSignerKey } from '@custodian/core';
import { runQuickstart, subjectId } from '@custodian/example-quickstart';
import { createPrivacyCenter, nodeListener } from '@custodian/privacy-center';
import { createSqliteEventStore } from '@custodian/sqlite';

const ORIGIN = 'retailer.example/ledger';

async function main(): Promise<void> {
  const path = resolve(process.argv[2] ?? 'privacy-center.db');
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) rmSync(file);
  const store = createSqliteEventStore({ path });
  const ledger = await runQuickstart(store, { log: () => undefined });
  const key = generateSignerKey(ORIGIN);
  const checkpointer = createCheckpointer({ store, signer: createPemSigner(key.pem, ORIGIN), origin: ORIGIN, publisher: createInMemoryPublisher(), intervalMs: 1_000 });
  await checkpointer.start();
  const center = createPrivacyCenter({
    ledger,
    secret: process.env.PRIVACY_CENTER_SECRET ?? randomBytes(32),
    notice: { id: 'privacy-notice', version: 'v3' },
    title: 'the retailer',
    checkpointer,
  });
  const server = createServer(nodeListener(center));
  await new Promise<void>((ready) => server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  const link = center.issueLink({ subjectId, expiresAt: new Date(Date.now() + 24 * 3_600_000) });
  console.log(`The quickstart's story is in ${path}.`);
  console.log(`Her privacy center, open for 24 hours: http://127.0.0.1:${port}${link}`);
  console.log(`Receipts verify with the ledger's public key: ${key.verifierKey}`);

  const stop = () => {
    server.close(() => {
      void checkpointer.stop().then(() => store.close());
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
