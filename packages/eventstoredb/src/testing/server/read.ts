import { randomUUID } from 'node:crypto';
import { status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { EventLog, LogRecord } from './log';
import { readEvent, serviceError, streamDeletedError, streamIdentifier, streamNameOf } from './wire';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;
type Options = ReadReq.Options;

const BACKWARDS = ReadReq.Options.ReadDirection.BACKWARDS;
const UINT64_MAX = (1n << 64n) - 1n;

/** Streams.Read: a stream read, an $all read, or a subscription to $all. */
export function handleRead(log: EventLog) {
  return (call: ReadCall): void => {
    const options = call.request.getOptions();
    const finish = (error: unknown): void => void call.emit('error', error);
    if (!options) return finish(serviceError(GrpcStatus.INVALID_ARGUMENT, 'read options are required'));
    const sender = createSender(call);
    const structured = options.getUuidOption()?.getContentCase() === ReadReq.Options.UUIDOption.ContentCase.STRUCTURED;
    const subscription = options.getCountOptionCase() === ReadReq.Options.CountOptionCase.SUBSCRIPTION;
    let work: Promise<void>;
    if (options.getStreamOptionCase() === ReadReq.Options.StreamOptionCase.STREAM) {
      if (subscription) return finish(serviceError(GrpcStatus.UNIMPLEMENTED, 'stream subscriptions are not served by the test server'));
      work = readStream(log, call, sender, options, structured);
    } else if (subscription) work = subscribeToAll(log, call, sender, options, structured);
    else work = readAll(log, call, sender, options, structured);
    work.catch(finish);
  };
}

async function readStream(log: EventLog, call: ReadCall, sender: Sender, options: Options, structured: boolean): Promise<void> {
  const streamOptions = options.getStream() as ReadReq.Options.StreamOptions;
  const stream = streamNameOf(streamOptions.getStreamIdentifier());
  const visible = log.visibleRecords(stream);
  if (visible.kind === 'deleted') return void call.emit('error', streamDeletedError(stream));
  if (visible.kind === 'not-found') {
    await sender.send(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream))));
    return void call.end();
  }
  const backwards = options.getReadDirection() === BACKWARDS;
  const cases = ReadReq.Options.StreamOptions.RevisionOptionCase;
  let from = 0n;
  if (streamOptions.getRevisionOptionCase() === cases.REVISION) from = BigInt(streamOptions.getRevision());
  else if (streamOptions.getRevisionOptionCase() === cases.END) from = backwards ? UINT64_MAX : UINT64_MAX + 1n;
  const records = visible.records.filter((r) => (backwards ? r.revision <= from : r.revision >= from));
  if (backwards) records.reverse();
  await sendAll(call, sender, records.slice(0, countOf(options)), structured);
}

async function readAll(log: EventLog, call: ReadCall, sender: Sender, options: Options, structured: boolean): Promise<void> {
  const allOptions = options.getAll() as ReadReq.Options.AllOptions;
  const backwards = options.getReadDirection() === BACKWARDS;
  const cases = ReadReq.Options.AllOptions.AllOptionCase;
  const records = log.records.slice();
  let start: number;
  if (allOptions.getAllOptionCase() === cases.POSITION) start = log.indexAtOrAfter(BigInt((allOptions.getPosition() as ReadReq.Options.Position).getCommitPosition()));
  else start = allOptions.getAllOptionCase() === cases.END ? records.length : 0;
  const filter = filterOf(options);
  const chosen = (backwards ? records.slice(0, start).reverse() : records.slice(start)).filter(filter);
  await sendAll(call, sender, chosen.slice(0, countOf(options)), structured);
}

/** Catches up after the given position (exclusive), says so, then follows the log live. */
async function subscribeToAll(log: EventLog, call: ReadCall, sender: Sender, options: Options, structured: boolean): Promise<void> {
  const allOptions = options.getAll() as ReadReq.Options.AllOptions;
  const cases = ReadReq.Options.AllOptions.AllOptionCase;
  let next = 0;
  if (allOptions.getAllOptionCase() === cases.END) next = log.records.length;
  if (allOptions.getAllOptionCase() === cases.POSITION) {
    const position = BigInt((allOptions.getPosition() as ReadReq.Options.Position).getCommitPosition());
    next = log.indexAtOrAfter(position);
    if (log.records[next]?.position === position) next++;
  }
  const filter = filterOf(options);
  let wake: (() => void) | undefined;
  const stop = log.onWrite(() => wake?.());
  call.on('cancelled', () => wake?.());
  try {
    if (!(await sender.send(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()))))) return;
    let caughtUp = false;
    while (!call.cancelled) {
      const record = log.records[next];
      if (record) {
        next++;
        if (filter(record) && !(await sender.send(readEvent(record, structured)))) return;
        continue;
      }
      if (!caughtUp) {
        caughtUp = true;
        if (!(await sender.send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp())))) return;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stop();
  }
}

async function sendAll(call: ReadCall, sender: Sender, records: readonly LogRecord[], structured: boolean): Promise<void> {
  for (const record of records) if (!(await sender.send(readEvent(record, structured)))) return;
  call.end();
}

function countOf(options: Options): number {
  const count = BigInt(options.getCount() || '0');
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

/** The server-side filter of a read or subscription to $all, on stream name or event type. */
function filterOf(options: Options): (record: LogRecord) => boolean {
  const filter = options.getFilter();
  if (!filter) return () => true;
  const onType = filter.getFilterCase() === ReadReq.Options.FilterOptions.FilterCase.EVENT_TYPE;
  const expression = onType ? filter.getEventType() : filter.getStreamIdentifier();
  const regex = expression?.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const prefixes = expression?.getPrefixList() ?? [];
  return (record) => {
    const value = onType ? record.type : record.stream;
    if (regex && !regex.test(value)) return false;
    return prefixes.length === 0 || prefixes.some((prefix) => value.startsWith(prefix));
  };
}

interface Sender {
  /** Resolves once the message may be followed by another; false if the call is gone. */
  send(message: ReadResp): Promise<boolean>;
}

// Honours HTTP/2 flow control: a slow reader makes the server wait, as a real one does,
// instead of buffering the whole log in memory.
function createSender(call: ReadCall): Sender {
  let gone = false;
  let release: (() => void) | undefined;
  const end = () => {
    gone = true;
    release?.();
  };
  call.on('cancelled', end);
  call.on('close', end);
  call.on('drain', () => release?.());
  return {
    async send(message) {
      if (gone || call.cancelled) return false;
      if (!call.write(message)) {
        await new Promise<void>((resolve) => (release = resolve));
        release = undefined;
      }
      return !gone && !call.cancelled;
    },
  };
}
