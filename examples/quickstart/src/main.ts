import { InMemoryEventStore, events, GENESIS_HASH } from '@custodian/core';

async function main(): Promise<void> {
  const store = new InMemoryEventStore();
  const { toAppend } = events.seal(
    {
      id: '0190a1b2-0000-7000-8000-000000000001',
      type: 'RecipientRegistered',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      recordedAt: new Date().toISOString(),
      actor: { id: 'dpo', kind: 'employee', roles: ['privacy'] },
      data: { recipientId: 'acme-agency', name: 'ACME Agency', agreement: 'dpa-2026-01', country: 'DE' },
    },
    GENESIS_HASH,
  );
  await store.append('recipient-acme-agency', [toAppend], 'no_stream');
  for await (const record of store.readAll()) console.log(record.stream, record.type, events.decode(record.data).data);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
