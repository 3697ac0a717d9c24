import { status as GrpcStatus, type ServerDuplexStream, type ServerReadableStream, type sendUnaryData } from '@grpc/grpc-js';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { AllStreamPosition, Empty, StreamDeleted, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import type { EventLog, Expected, Proposed, WriteOutcome } from './log';
import { Empty as ProtoEmpty } from './wkt';
import { expectedFrom, proposedFrom, rpcStatus, streamDeletedError, streamIdentifier, streamNameOf } from './wire';

/** Streams.Append: options first, then one proposed message per event; one answer at the end. */
export function handleAppend(log: EventLog) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    let stream = '';
    let expected: Expected = { kind: 'any' };
    const events: Proposed[] = [];
    let failed = false;
    call.on('data', (request: AppendReq) => {
      if (failed) return;
      const options = request.getOptions();
      if (options) {
        stream = streamNameOf(options.getStreamIdentifier());
        const cases = AppendReq.Options.ExpectedStreamRevisionCase;
        expected = expectedFrom(options.getExpectedStreamRevisionCase(), { revision: cases.REVISION, noStream: cases.NO_STREAM, streamExists: cases.STREAM_EXISTS }, () =>
          options.getRevision(),
        );
        return;
      }
      const message = request.getProposedMessage();
      if (!message) return;
      const proposed = proposedFrom(message);
      if ('code' in proposed) {
        failed = true;
        callback(proposed);
      } else events.push(proposed);
    });
    call.on('end', () => {
      if (failed) return;
      const outcome = log.append(stream, expected, events);
      if (!outcome.ok && outcome.reason === 'stream-deleted') return callback(streamDeletedError(stream));
      callback(null, appendResponse(outcome, expected));
    });
  };
}

function appendResponse(outcome: Exclude<WriteOutcome, { reason: 'stream-deleted' }>, expected: Expected): AppendResp {
  if (outcome.ok) {
    const position = new AppendResp.Position().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString());
    return new AppendResp().setSuccess(new AppendResp.Success().setCurrentRevision(outcome.revision.toString()).setPosition(position));
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.current === undefined) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(outcome.current.toString());
  if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new Empty());
  else if (expected.kind === 'exists') wrong.setExpectedStreamExists(new Empty());
  else wrong.setExpectedAny(new Empty());
  return new AppendResp().setWrongExpectedVersion(wrong);
}

interface PendingBatch {
  stream: string;
  expected: Expected;
  events: Proposed[];
}

/**
 * Streams.BatchAppend: one long-lived call carries many appends, each split into
 * requests that share a correlation id; the last has `is_final`. Failures travel in the
 * response as a google.rpc.Status with the detail packed in it.
 */
export function handleBatchAppend(log: EventLog) {
  return (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void => {
    const pending = new Map<string, PendingBatch>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      const key = correlation?.getString() ?? '';
      const options = request.getOptions();
      let batch = pending.get(key);
      if (!batch) {
        batch = { stream: streamNameOf(options?.getStreamIdentifier()), expected: expectedOf(options), events: [] };
        pending.set(key, batch);
      }
      for (const message of request.getProposedMessagesList()) {
        const proposed = proposedFrom(message);
        if ('code' in proposed) {
          call.destroy(proposed);
          return;
        }
        batch.events.push(proposed);
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);
      const response = new BatchAppendResp().setStreamIdentifier(streamIdentifier(batch.stream));
      if (correlation) response.setCorrelationId(correlation);
      setExpected(response, batch.expected);
      const outcome = log.append(batch.stream, batch.expected, batch.events);
      if (outcome.ok) {
        const position = new AllStreamPosition().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString());
        response.setSuccess(new BatchAppendResp.Success().setCurrentRevision(outcome.revision.toString()).setPosition(position));
      } else if (outcome.reason === 'stream-deleted') {
        const detail = new StreamDeleted().setStreamIdentifier(streamIdentifier(batch.stream));
        response.setError(rpcStatus(GrpcStatus.FAILED_PRECONDITION, 'stream deleted', detail, 'event_store.client.StreamDeleted'));
      } else {
        const detail = wrongExpectedVersion(outcome.current, batch.expected);
        response.setError(rpcStatus(GrpcStatus.FAILED_PRECONDITION, 'wrong expected version', detail, 'event_store.client.WrongExpectedVersion'));
      }
      call.write(response);
    });
    call.on('end', () => call.end());
  };
}

function expectedOf(options: BatchAppendReq.Options | undefined): Expected {
  if (!options) return { kind: 'any' };
  const cases = BatchAppendReq.Options.ExpectedStreamPositionCase;
  return expectedFrom(options.getExpectedStreamPositionCase(), { revision: cases.STREAM_POSITION, noStream: cases.NO_STREAM, streamExists: cases.STREAM_EXISTS }, () =>
    options.getStreamPosition(),
  );
}

function setExpected(response: BatchAppendResp, expected: Expected): void {
  if (expected.kind === 'revision') response.setStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') response.setNoStream(new ProtoEmpty());
  else if (expected.kind === 'exists') response.setStreamExists(new ProtoEmpty());
  else response.setAny(new ProtoEmpty());
}

function wrongExpectedVersion(current: bigint | undefined, expected: Expected): WrongExpectedVersion {
  const detail = new WrongExpectedVersion();
  if (current === undefined) detail.setCurrentNoStream(new ProtoEmpty());
  else detail.setCurrentStreamRevision(current.toString());
  if (expected.kind === 'revision') detail.setExpectedStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') detail.setExpectedNoStream(new ProtoEmpty());
  else if (expected.kind === 'exists') detail.setExpectedStreamExists(new ProtoEmpty());
  else detail.setExpectedAny(new ProtoEmpty());
  return detail;
}
