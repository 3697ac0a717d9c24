// The privacy center inside a Fastify app: the host's own route (`GET /shop`) beside the center
// under `/privacy`, on the quickstart's story in a SQLite ledger. Fastify parses bodies before a
// handler runs, so the center's scope swaps its parsers for one that keeps every body as raw
// bytes: the center reads its forms (and refuses what is not one) itself, as on node:http.
// Usage: node dist/main.js [ledger.db] (PORT=0 picks a free port; PRIVACY_CENTER_SECRET signs links).
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCheckpointer, createInMemoryPublisher, createPemSigner, generateSignerKey } from '@custodian/core';
import { runQuickstart, subjectId } from '@custodian/example-quickstart';
import { createPrivacyCenter, toFetchRequest, writeResponse, type PrivacyCenter } from '@custodian/privacy-center';
import { createSqliteEventStore } from '@custodian/sqlite';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

const ORIGIN = 'retailer.example/ledger';

/** The center's routes under the scope's prefix, every method, bodies kept raw. */
function privacyCenterPlugin(center: PrivacyCenter) {
  return async (scope: FastifyInstance): Promise<void> => {
    scope.removeAllContentTypeParsers();
    // A little over the center's own limit, so it is the center that refuses a large body, by name.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
    const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const body = Buffer.isBuffer(request.body) ? request.body : '';
      const response = await center.handle(await toFetchRequest(request.raw, { body }));
      // The center's response is whole (status, headers, cookies, body): written as it is, past Fastify's serializers.
      reply.hijack();
      await writeResponse(reply.raw, response);
    };
    scope.all('/', serve);
    scope.all('/*', serve);
  };
}

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

  const app = Fastify();
  app.get('/shop', () => ({ shop: 'the retailer', open: true }));
  await app.register(privacyCenterPlugin(center), { prefix: '/privacy' });
  const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
  const link = center.issueLink({ subjectId, expiresAt: new Date(Date.now() + 24 * 3_600_000) });
  console.log(`The quickstart's story is in ${path}; the shop answers at ${address}/shop.`);
  console.log(`Her privacy center, open for 24 hours: ${address}${link}`);
  console.log(`Receipts verify with the ledger's public key: ${key.verifierKey}`);

  const stop = () => {
    void app.close().then(() => checkpointer.stop().then(() => store.close()));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
