// The privacy center inside an Express app: the host's own route (`GET /shop`) beside the
// center mounted under `/privacy`, on the quickstart's story in a SQLite ledger. Express strips
// the mount path from `req.url`; `nodeListener` reads it back from `req.originalUrl`, so the
// center, told its `basePath`, sees the whole path and its links and forms point under `/privacy`.
// Usage: node dist/main.js [ledger.db] (PORT=0 picks a free port; PRIVACY_CENTER_SECRET signs links).
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createCheckpointer, createInMemoryPublisher, createPemSigner, generateSignerKey } from '@custodian/core';
import { runQuickstart, subjectId } from '@custodian/example-quickstart';
import { createPrivacyCenter, nodeListener } from '@custodian/privacy-center';
import { createSqliteEventStore } from '@custodian/sqlite';
import express from 'express';

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
    basePath: '/privacy',
    title: 'the retailer',
    checkpointer,
  });

  const app = express();
  app.disable('x-powered-by');
  // The center reads its own bodies: mount it before any body parser the host uses, or give
  // those parsers to the host's routes alone, as here, so the center's stream is still unread.
  app.use('/privacy', nodeListener(center));
  app.get('/shop', (_req, res) => {
    res.json({ shop: 'the retailer', open: true });
  });

  const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  await new Promise<void>((ready, failed) => server.once('listening', ready).once('error', failed));
  const { port } = server.address() as AddressInfo;
  const link = center.issueLink({ subjectId, expiresAt: new Date(Date.now() + 24 * 3_600_000) });
  console.log(`The quickstart's story is in ${path}; the shop answers at http://127.0.0.1:${port}/shop.`);
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
