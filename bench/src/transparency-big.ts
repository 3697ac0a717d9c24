/**
 * The child process of bench:transparency's large verify (item 4 there): a log of BIG
 * events (default 10,000,000; ~600 B each, BIG/10 streams) that no store holds. The
 * records are generated as they are read, each sealed and chained like the ledger's own
 * (one SHA-256 each), so that the peak RSS measured here is the verify's own memory plus
 * the generator's stream heads (32 bytes a stream), not the log's.
 *
 *   node bench/dist/transparency-big.js root     prints the root of the whole log (hex)
 *   node bench/dist/transparency-big.js read     reads the generated log alone
 *   node bench/dist/transparency-big.js verify   audit.verify with CHECKPOINT (a note) and PUBLIC_KEY
 *
 * Each mode prints one JSON line: { ms, count, maxRssMB, ... }.
 */
import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRootBuilder, events, GENESIS_HASH, subjectStream, verifyStore, type EventStore, type RecordedEvent } from '@custodian/core';

const BIG = Number(process.env.BIG ?? 10_000_000);
const STREAMS = Math.max(1, Math.floor(BIG / 10));
const DIGITS = 7;

const subjectOf = (s: number) => `s-${String(s).padStart(DIGITS, '0')}`;
const idOf = (n: number) => {
  const hex = n.toString(16).padStart(20, '0');
  return `${hex.slice(0, 8)}-0000-7000-8${hex.slice(8, 11)}-${hex.slice(11)}0000`.slice(0, 36);
};

/** A sealed DataUsed record of subject 0 at revision 0: every record is this one with its id, subject, links and hash rewritten in place. */
function template() {
  const at = '2026-01-01T00:00:00.000Z';
  const subjectId = subjectOf(0);
  const { toAppend } = events.seal(
    {
      id: idOf(0),
      type: 'DataUsed',
      schemaVersion: 1,
      stream: subjectStream(subjectId),
      subjectId,
      occurredAt: at,
      recordedAt: at,
      actor: { id: 'campaign-service', kind: 'service', roles: ['marketing'] },
      data: {
        purpose: 'marketing.email',
        categories: ['contact.email'],
        activity: 'campaign:spring-sale',
        basis: { legalBasis: 'consent', consentEventId: '0190a3f0-0000-7000-8000-000000000000' },
      },
    },
    GENESIS_HASH,
  );
  const bytes = Buffer.from(toAppend.data);
  const text = bytes.toString('latin1');
  const at0 = (needle: string) => {
    const found = text.indexOf(needle);
    if (found < 0) throw new Error(`the template holds no ${needle}`);
    return found;
  };
  return {
    bytes,
    idAt: at0(`"id":"${idOf(0)}"`) + 6,
    subjectAt: at0(`"subjectId":"${subjectId}"`) + 13,
    streamAt: at0(`"stream":"${subjectStream(subjectId)}"`) + 10 + 'subject-'.length,
    prevAt: bytes.length - 2 - 64 - 9 - 1 - 64,
    hashAt: bytes.length - 2 - 64,
  };
}

/** A read-only store whose log is generated on each read. */
function generatedStore(): EventStore {
  const t = template();
  const heads = new Uint8Array(32 * STREAMS);
  const scratch = Buffer.alloc(t.bytes.length);
  const cut = t.hashAt - ',"hash":"'.length;
  const record = (n: number): RecordedEvent => {
    const s = n % STREAMS;
    const revision = Math.floor(n / STREAMS);
    const data = Buffer.from(t.bytes);
    const subject = String(s).padStart(DIGITS, '0');
    data.write(idOf(n), t.idAt, 'latin1');
    data.write(subject, t.subjectAt + 2, 'latin1');
    data.write(subject, t.streamAt + 2, 'latin1');
    data.write(revision === 0 ? GENESIS_HASH : Buffer.from(heads.buffer, s * 32, 32).toString('hex'), t.prevAt, 'latin1');
    data.copy(scratch, 0, 0, cut);
    scratch[cut] = 0x7d;
    const digest = hash('sha256', scratch.subarray(0, cut + 1), 'buffer');
    heads.set(digest, s * 32);
    data.write(digest.toString('hex'), t.hashAt, 'latin1');
    return { stream: subjectStream(subjectOf(s)), revision: BigInt(revision), position: BigInt(n), id: idOf(n), type: 'DataUsed', data };
  };
  const refuse = () => Promise.reject(new Error('the generated log is read-only'));
  return {
    positionsGapFreeFrom: 0n,
    append: refuse,
    readStream: () => ({ [Symbol.asyncIterator]: () => ({ next: refuse }) }),
    readAll() {
      let n = 0;
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => Promise.resolve(n < BIG ? { done: false as const, value: record(n++) } : { done: true as const, value: undefined }),
        }),
      };
    },
    close: () => Promise.resolve(),
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const store = generatedStore();
  const started = performance.now();
  const out: Record<string, unknown> = { mode, events: BIG, streams: STREAMS };
  if (mode === 'root') {
    const builder = createRootBuilder();
    for await (const record of store.readAll())
      builder.addLeafData(Buffer.from(Buffer.from(record.data).toString('latin1', record.data.length - 66, record.data.length - 2), 'hex'));
    out.root = builder.root().toString('hex');
    out.count = builder.size;
  } else if (mode === 'read') {
    let count = 0;
    for await (const _record of store.readAll()) count++;
    out.count = count;
  } else if (mode === 'verify') {
    const result = await verifyStore(store, { checkpoint: process.env.CHECKPOINT as string, publicKey: process.env.PUBLIC_KEY as string });
    Object.assign(out, { count: result.checked, ok: result.ok, matches: result.checkpoint?.matches, broken: result.broken.length });
  } else throw new Error(`unknown mode ${mode}`);
  out.ms = performance.now() - started;
  out.maxRssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
