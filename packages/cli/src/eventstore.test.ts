import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventStoreDBClient } from '@eventstore/db-client';
import { createEventStoreDBStore } from '@custodian/eventstoredb';
import { spawnTestServer, type SpawnedTestServer } from '@custodian/eventstoredb/testing';
import { cli } from './test-support/capture';
import { OTHER, SUBJECT, tellStory, workspace, type Workspace } from './test-support/fixture';

// The same commands on EventStoreDB (the wire-protocol test server of @custodian/eventstoredb).
let server: SpawnedTestServer;
let ws: Workspace;
beforeAll(async () => {
  server = await spawnTestServer();
  ws = workspace();
  const store = createEventStoreDBStore(EventStoreDBClient.connectionString(server.connectionString));
  try {
    await tellStory(store);
  } finally {
    await store.close();
  }
}, 60_000);
afterAll(async () => {
  await server.stop();
  ws.remove();
});

describe('custodian --eventstore', () => {
  const on = (args: string[]) => cli([...args, '--eventstore', server.connectionString], { cwd: ws.dir });

  it('verifies the chain', async () => {
    const { code, stdout } = await on(['verify']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `Chain intact: 16 events checked in EventStoreDB at ${server.connectionString}, no link broken.\nNot checked: whether the latest events of a stream, or whole streams, were removed. Per-stream chains cannot show that; only a signed checkpoint can (pass --checkpoint <file> --public-key <key>).\n`,
    );
  });

  it("counts, finds no violations, and tells a subject's story", async () => {
    expect(JSON.parse((await on(['stats', '--json'])).stdout)).toMatchObject({ events: 16, subjects: 2, erasures: 1, pendingErasureConfirmations: 1, chain: { ok: true } });
    expect((await on(['violations'])).code).toBe(0);
    const report = JSON.parse((await on(['report', SUBJECT, '--json'])).stdout) as { items: { kind: string }[] };
    expect(report.items.map((i) => i.kind)).toEqual([
      'collected',
      'consented',
      'used',
      'shared',
      'withdrawn',
      'notice-owed',
      'refused',
      'access-requested',
      'access-fulfilled',
      'erasure-requested',
      'erased',
    ]);
  });

  it('replays to a moment and exports a subject', async () => {
    const replayed = await on(['replay', '--at', '2026-03-01T10:04:30Z']);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(new RegExp(`${SUBJECT} +marketing\\.email +granted`));
    const exported = await on(['export', OTHER, '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      subjectId: OTHER,
      data: [
        { category: 'contact.email', value: null },
        { category: 'contact.address', value: null },
      ],
    });
  });
});
