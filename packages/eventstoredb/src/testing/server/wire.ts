import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import type { Expected, LogRecord, Proposed } from './log';
import { Any } from './wkt';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case numbers of an expected-revision `oneof`; each request message has its own enum. */
export interface ExpectedCases {
  revision: number;
  noStream: number;
  streamExists: number;
}

export function expectedFrom(revisionCase: number, cases: ExpectedCases, revision: () => string): Expected {
  switch (revisionCase) {
    case cases.revision:
      return { kind: 'revision', revision: BigInt(revision()) };
    case cases.noStream:
      return { kind: 'no_stream' };
    case cases.streamExists:
      return { kind: 'exists' };
    default:
      return { kind: 'any' };
  }
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

export function streamIdentifier(stream: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(stream, 'utf8'));
}

/** Reads an event id in either of its wire forms; undefined if it is not a UUID. */
export function uuidOf(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured() as UUID.Structured;
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
    bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const text = uuid.getString();
  return UUID_PATTERN.test(text) ? text.toLowerCase() : undefined;
}

export function uuidMessage(id: string, structured: boolean): UUID {
  if (!structured) return new UUID().setString(id);
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  return new UUID().setStructured(new UUID.Structured().setMostSignificantBits(bytes.readBigInt64BE(0).toString()).setLeastSignificantBits(bytes.readBigInt64BE(8).toString()));
}

/** What a proposed message (Append or BatchAppend) carries, checked as the server checks it. */
export interface ProposedMessageLike {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

export function proposedFrom(message: ProposedMessageLike): Proposed | ServiceError {
  const id = uuidOf(message.getId());
  if (!id) return serviceError(GrpcStatus.INVALID_ARGUMENT, 'event id must be a UUID');
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (!type || !contentType) {
    return serviceError(GrpcStatus.INVALID_ARGUMENT, 'required metadata properties are missing', {
      exception: 'missing-required-metadata-property',
      'required-metadata-properties': 'type,content-type',
    });
  }
  return { id, type, contentType, data: message.getData_asU8(), customMetadata: message.getCustomMetadata_asU8() };
}

export function readEvent(record: LogRecord, structuredIds: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(record.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(record.stream))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded.getMetadataMap().set('type', record.type).set('content-type', record.contentType).set('created', record.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
  return new ReadResp().setEvent(event);
}

export function serviceError(code: GrpcStatus, details: string, trailers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

// Without the stream-name trailer db-client 6.2.1 throws while building its error, inside
// an event handler, and takes the process down.
export function streamDeletedError(stream: string): ServiceError {
  return serviceError(GrpcStatus.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });
}

export function wrongExpectedVersionError(stream: string, expected: Expected, current: bigint | undefined): ServiceError {
  return serviceError(GrpcStatus.FAILED_PRECONDITION, 'Wrong expected version.', {
    exception: 'wrong-expected-version',
    'stream-name': stream,
    'expected-version': expectedAsNumber(expected),
    ...(current === undefined ? {} : { 'actual-version': current.toString() }),
  });
}

/** Packs a message into a google.rpc.Status, as BatchAppend reports its failures. */
export function rpcStatus(code: GrpcStatus, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): Status {
  const details = new Any();
  details.pack(detail.serializeBinary(), typeName);
  return new Status()
    .setCode(code as number)
    .setMessage(message)
    .setDetails(details);
}

function expectedAsNumber(expected: Expected): string {
  switch (expected.kind) {
    case 'revision':
      return expected.revision.toString();
    case 'no_stream':
      return '-1';
    case 'exists':
      return '-4';
    default:
      return '-2';
  }
}
